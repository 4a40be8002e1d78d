//! The built-in list of common AI tools and models the catalog can be
//! seeded from, with a default risk level and the reason for it. Written
//! for Aigis; admins edit the seeded entries to fit their organisation.

use crate::model::{Risk, ToolInput, ToolStatus};

/// One built-in catalog entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Builtin {
    pub id: &'static str,
    pub name: &'static str,
    pub provider: &'static str,
    pub risk: Risk,
    pub rationale: &'static str,
}

use Risk::{Critical, High, Low, Medium};

const fn b(
    id: &'static str,
    name: &'static str,
    provider: &'static str,
    risk: Risk,
    rationale: &'static str,
) -> Builtin {
    Builtin {
        id,
        name,
        provider,
        risk,
        rationale,
    }
}

/// The list, in a stable order.
pub const BUILTINS: &[Builtin] = &[
    b(
        "chatgpt-enterprise",
        "ChatGPT Enterprise",
        "OpenAI",
        Medium,
        "Business tier: prompts are not used for training and the workspace is admin-managed; sensitive data can still be pasted in.",
    ),
    b(
        "chatgpt-free",
        "ChatGPT (personal/free)",
        "OpenAI",
        Critical,
        "Consumer account outside company control; conversations may be retained and used for training.",
    ),
    b(
        "openai-api",
        "OpenAI API",
        "OpenAI",
        High,
        "Programmatic access moves data at volume and needs key management.",
    ),
    b(
        "claude-team",
        "Claude for Teams / Enterprise",
        "Anthropic",
        Medium,
        "Managed workspace with no training on business data; general-purpose assistant.",
    ),
    b(
        "claude-api",
        "Anthropic API",
        "Anthropic",
        High,
        "Programmatic access with API keys; data flows are built by the requester.",
    ),
    b(
        "claude-code",
        "Claude Code",
        "Anthropic",
        High,
        "Agentic coding tool that reads repositories and can run commands on the workstation.",
    ),
    b(
        "gemini-workspace",
        "Gemini for Google Workspace",
        "Google",
        Medium,
        "Works inside company mail and documents under Workspace data terms.",
    ),
    b(
        "gemini-app",
        "Gemini app (personal)",
        "Google",
        Critical,
        "Personal Google account; no organisational retention or access controls.",
    ),
    b(
        "vertex-ai",
        "Vertex AI",
        "Google Cloud",
        High,
        "Cloud model platform: can host data sets and deploy models; needs project governance.",
    ),
    b(
        "m365-copilot",
        "Microsoft 365 Copilot",
        "Microsoft",
        Medium,
        "Reads everything the user can reach in Microsoft 365; oversharing in tenants is amplified.",
    ),
    b(
        "copilot-chat",
        "Microsoft Copilot Chat (web)",
        "Microsoft",
        Low,
        "Signed in with the work account under enterprise data protection; no tenant data access.",
    ),
    b(
        "azure-openai",
        "Azure OpenAI Service",
        "Microsoft",
        High,
        "Model endpoints in the company cloud subscription; data residency and keys must be managed.",
    ),
    b(
        "github-copilot-business",
        "GitHub Copilot Business",
        "GitHub",
        Medium,
        "Code suggestions on company code; business plan excludes training on it, but secrets may appear in prompts.",
    ),
    b(
        "github-copilot-individual",
        "GitHub Copilot Individual",
        "GitHub",
        High,
        "Personal plan: settings are controlled by the individual, not the organisation.",
    ),
    b(
        "cursor",
        "Cursor",
        "Anysphere",
        High,
        "AI code editor that sends repository context to several model providers; privacy mode must be enforced.",
    ),
    b(
        "amazon-q-developer",
        "Amazon Q Developer",
        "AWS",
        Medium,
        "Coding assistant under the company AWS account and its controls.",
    ),
    b(
        "amazon-bedrock",
        "Amazon Bedrock",
        "AWS",
        High,
        "Hosted foundation models in the company AWS account; data flows are built by the requester.",
    ),
    b(
        "atlassian-rovo",
        "Atlassian Rovo",
        "Atlassian",
        Low,
        "Works on Jira and Confluence content the user can already see, inside the Atlassian cloud.",
    ),
    b(
        "notion-ai",
        "Notion AI",
        "Notion",
        Medium,
        "Processes workspace pages; fine for internal notes, not for regulated data.",
    ),
    b(
        "slack-ai",
        "Slack AI",
        "Salesforce",
        Low,
        "Summaries of channels the user is already in, within the Slack workspace.",
    ),
    b(
        "zoom-ai-companion",
        "Zoom AI Companion",
        "Zoom",
        Medium,
        "Transcribes and summarises meetings; participants' consent and retention matter.",
    ),
    b(
        "otter-ai",
        "Otter.ai",
        "Otter.ai",
        High,
        "Meeting recorder that can join calls and keeps transcripts with a third party.",
    ),
    b(
        "grammarly-business",
        "Grammarly Business",
        "Grammarly",
        Medium,
        "Reads text as it is typed across applications.",
    ),
    b(
        "deepl-pro",
        "DeepL Pro",
        "DeepL",
        Low,
        "Translation with no retention of texts on the Pro plan.",
    ),
    b(
        "perplexity-enterprise",
        "Perplexity Enterprise Pro",
        "Perplexity",
        Medium,
        "Web research assistant; uploaded files leave the company.",
    ),
    b(
        "midjourney",
        "Midjourney",
        "Midjourney",
        High,
        "Image generation whose outputs are public by default and whose licence terms vary.",
    ),
    b(
        "adobe-firefly",
        "Adobe Firefly",
        "Adobe",
        Low,
        "Image generation trained on licensed content, under the company Adobe agreement.",
    ),
    b(
        "canva-magic-studio",
        "Canva Magic Studio",
        "Canva",
        Low,
        "Design assistant for marketing material inside the company Canva team.",
    ),
    b(
        "huggingface-hub",
        "Hugging Face Hub",
        "Hugging Face",
        High,
        "Downloads third-party models and data sets of unknown provenance.",
    ),
    b(
        "mistral-le-chat",
        "Le Chat Enterprise",
        "Mistral AI",
        Medium,
        "Managed assistant with European hosting; general-purpose chat.",
    ),
    b(
        "llama-self-hosted",
        "Llama (self-hosted)",
        "Meta",
        High,
        "Open-weight model run on company infrastructure: the team owns patching, logging and licence terms.",
    ),
    b(
        "deepseek-chat",
        "DeepSeek Chat",
        "DeepSeek",
        Critical,
        "Hosted outside the company's approved jurisdictions with unclear retention.",
    ),
    b(
        "character-ai",
        "Character.AI",
        "Character Technologies",
        Critical,
        "Consumer companion chat with no business terms.",
    ),
];

impl Builtin {
    /// The catalog input it seeds: approved unless critical (blocked), with
    /// the risk's default ceiling.
    pub fn input(&self) -> ToolInput {
        ToolInput {
            id: self.id.into(),
            name: self.name.into(),
            provider: self.provider.into(),
            status: if self.risk == Risk::Critical {
                ToolStatus::Blocked
            } else {
                ToolStatus::Approved
            },
            risk: self.risk,
            default_duration_days: None,
            max_duration_days: None,
            guidance: String::new(),
            fulfilment_notes: String::new(),
            risk_rationale: self.rationale.into(),
            entitlement: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_least_25_valid_unique_entries() {
        assert!(BUILTINS.len() >= 25);
        let mut ids: Vec<_> = BUILTINS.iter().map(|b| b.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), BUILTINS.len());
        for b in BUILTINS {
            assert!(!b.rationale.is_empty() && !b.provider.is_empty());
            b.input().into_tool(0).unwrap();
        }
    }
}
