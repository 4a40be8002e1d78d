// Shapes of the resolver API (times are Unix milliseconds).

export interface WhoAmI {
  accountId: string;
  isAdmin: boolean;
  isApprover: boolean;
}

export type ToolStatus = 'approved' | 'blocked' | 'denied';
export type Risk = 'low' | 'medium' | 'high' | 'critical';

export interface Tool {
  id: string;
  name: string;
  provider: string;
  status: ToolStatus;
  risk: Risk;
  defaultDurationDays?: number;
  maxDurationDays?: number;
  guidance?: string;
  createdAt?: number;
  updatedAt?: number;
}

export interface Intake {
  projectKey: string;
  approverGroups: string[];
}

export type Decision = 'pending' | 'approved' | 'denied';

export interface AccessRequest {
  id: string;
  issueKey: string;
  projectKey: string;
  requester: string;
  tool: string;
  toolName: string;
  purpose: string;
  durationDays: number;
  summary: string;
  decision: Decision;
  decisionSource?: string;
  decidedBy?: string;
  decidedAt?: number;
  rationale?: string;
  grant?: string;
  createdAt: number;
}

export type GrantStatus = 'pendingProvision' | 'active' | 'expired' | 'revoked';

export interface Grant {
  id: string;
  request: string;
  issueKey: string;
  account: string;
  tool: string;
  status: GrantStatus;
  durationDays: number;
  createdAt: number;
  activatedAt?: number;
  expiresAt: number;
  expiresAtText?: string;
}

export type JobKind = 'provision' | 'deprovision' | 'check';

export interface Job {
  id: string;
  kind: JobKind;
  grant: string;
  mode: string | { type: string; [k: string]: unknown };
  status: string;
  attempts: number;
  dueAt: number;
  createdAt: number;
  updatedAt: number;
}

export interface Page {
  nextCursor?: string | null;
}

// ---------------------------------------------------------------------------
// Audit (admin only)

export interface LogKey {
  keyId: string;
  verifierKey: string;
  createdAt: number;
  introducedAtSeq: number;
  current: boolean;
}

export interface Checkpoint {
  size: number;
  root: string;
  note: string;
  at: number;
  keyId: string;
}

export interface AuditKeys {
  origin: string;
  keys: LogKey[];
  latestCheckpoint: Checkpoint | null;
  lastExport: { checkpoint: Checkpoint; at: number; by: string } | null;
}

export interface CheckpointCheck {
  size: number;
  root: string;
  keyId: string;
  valid: boolean;
  problem?: string | null;
}

export interface AuditVerify {
  intact: boolean;
  checked: number;
  headSeq: number;
  firstBreak?: { seq: number; reason: string } | null;
  ok: boolean;
  fromSeq: number;
  anchoredBy?: { size: number; root: string; keyId: string } | null;
  statement: string;
  /** Null while no checkpoint has been signed yet. */
  checkpoint: CheckpointCheck | null;
}

export interface AuditExport {
  fileName: string;
  bytes: number;
  sha256: string;
  contentBase64: string;
  checkpoint: { size: number; root: string; keyId: string };
  counts?: Record<string, number>;
}

export interface AuditEvent {
  seq: number;
  at: number;
  actor: string;
  action: string;
  subject: string;
  data: unknown;
  govVersion?: number | null;
  keyId?: string;
  prevHash?: string;
  entryHash: string;
}

export interface AuditRotation {
  key: LogKey;
  checkpointBefore: Checkpoint;
}

export type UnknownTools = 'block' | 'securityReview';

export interface MaxDays {
  low: number;
  medium: number;
  high: number;
  critical: number;
}

export interface Policy {
  id: string;
  name: string;
  projectKey: string;
  toolId?: string;
  autoApprove: boolean;
  allowedGroups: string[];
  maxDurationDays: number;
}

export interface Governance {
  version: number;
  maxDays: MaxDays;
  securityReviewRisks: Risk[];
  securityReviewerGroup?: string;
  unknownTools: UnknownTools;
  maxCriticalPerPerson: number;
  policies: Policy[];
  note?: string;
  createdAt: number;
  createdBy?: string;
  [extra: string]: unknown;
}

export interface GovernanceGet {
  governance: Governance;
  current: number;
}

export interface GovernanceVersion {
  version: number;
  createdAt: number;
  createdBy: string;
  note: string;
  policies: number;
}

export interface GovernanceList {
  current: number;
  versions: GovernanceVersion[];
}

export interface PolicyList {
  policies: Policy[];
  governanceVersion: number;
}

export interface InsightsMonth {
  month: string;
  requests: number;
  approvals: number;
  autoApprovals: number;
  denials: number;
  grantsActivated: number;
  grantsEnded: number;
  activeGrants: number;
  riskMix: Record<string, number>;
  topTools: { tool: string; requests: number }[];
  medianMinutesToDecision: number | null;
  meanMinutesToDecision: number | null;
}

export interface Insights {
  months: InsightsMonth[];
  throughSeq: number;
}
