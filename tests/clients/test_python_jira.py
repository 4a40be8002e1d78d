"""The Python `jira` client (pycontribs, from PyPI, unmodified) against the
Jira simulator: start `examples/serve` on loopback, then do what an
integrator's script does, through the client's own methods only.

Run by tests/clients/run.sh (make test-clients).
"""

import os
import queue
import subprocess
import threading
import unittest

from jira import JIRA, JIRAError

SERVER = None
URL = None


def adf(text):
    return {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
    }


def setUpModule():
    global SERVER, URL
    serve = os.environ["AIGIS_JIRA_SIM_SERVE"]
    SERVER = subprocess.Popen(
        [serve, "--port", "0", "--exit-on-stdin-eof"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    lines = queue.Queue()
    threading.Thread(target=lambda: lines.put(SERVER.stdout.readline()), daemon=True).start()
    first = lines.get(timeout=30)
    if not first.startswith("listening on "):
        raise RuntimeError(f"simulator did not start: {first!r}")
    URL = first.split()[-1]
    if not URL.startswith("http://127.0.0.1:"):
        raise RuntimeError(f"simulator is not on loopback: {URL}")


def tearDownModule():
    if SERVER is not None:
        SERVER.stdin.close()
        try:
            SERVER.wait(timeout=10)
        except subprocess.TimeoutExpired:
            SERVER.kill()
            SERVER.wait()


def client(who):
    return JIRA(
        server=URL,
        basic_auth=(f"{who}@aigis.example", f"demo-{who}-token"),
        options={"rest_api_version": "3", "check_update": False},
        max_retries=0,
    )


class PythonJiraClient(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Constructing a client reads serverInfo: the simulator is Cloud.
        cls.ada = client("ada")
        cls.rita = client("rita")
        cls.sam = client("sam")

    def test_myself_and_server(self):
        me = self.ada.myself()
        self.assertEqual(me["displayName"], "Ada Admin")
        self.assertEqual(me["emailAddress"], "ada@aigis.example")
        self.assertTrue(self.ada._is_cloud)
        self.assertEqual(self.ada.server_info()["baseUrl"], URL)

    def test_create_search_edit_and_comment(self):
        issue = self.ada.create_issue(
            fields={
                "project": {"key": "OPS"},
                "issuetype": {"name": "Task"},
                "summary": "Rotate the vendor API keys",
                "description": adf("Quarterly rotation"),
                "labels": ["ops"],
            }
        )
        self.assertTrue(issue.key.startswith("OPS-"))
        self.assertEqual(issue.fields.summary, "Rotate the vendor API keys")
        self.assertEqual(issue.fields.status.name, "Open")
        self.assertEqual(issue.fields.labels, ["ops"])

        # search_issues on Cloud: /field (JQL names to ids), then /search/jql.
        found = self.ada.search_issues(
            'project = OPS AND summary ~ "vendor API" ORDER BY created DESC',
            fields="summary,status,labels",
        )
        self.assertEqual([i.key for i in found], [issue.key])
        self.assertEqual(found[0].fields.status.name, "Open")
        self.assertEqual(self.ada._fields_cache["Request Type"], "customfield_10010")
        self.assertEqual(self.ada._fields_cache["summary"], "summary")

        # Edit: fields and an update operation; the client reloads the issue.
        issue.update(
            fields={"summary": "Rotate the vendor API keys (Q4)"},
            update={"labels": [{"add": "security"}]},
            notify=False,
        )
        self.assertEqual(issue.fields.summary, "Rotate the vendor API keys (Q4)")
        self.assertEqual(sorted(issue.fields.labels), ["ops", "security"])
        self.assertEqual(self.ada.issue(issue.key).fields.summary, "Rotate the vendor API keys (Q4)")

        # Comments: add, list, get one.
        first = self.ada.add_comment(issue.key, adf("Keys rotated in staging"))
        second = self.ada.add_comment(issue, adf("Production next"))
        self.assertNotEqual(first.id, second.id)
        comments = self.ada.comments(issue.key)
        self.assertEqual([c.id for c in comments], [first.id, second.id])
        one = self.ada.comment(issue.key, first.id)
        self.assertEqual(one.raw["body"], adf("Keys rotated in staging"))
        self.assertEqual(one.author.displayName, "Ada Admin")

        # A customer does not see an agent's OPS task.
        with self.assertRaises(JIRAError) as e:
            self.rita.issue(issue.key)
        self.assertEqual(e.exception.status_code, 404)

    def test_search_pages_and_bad_jql(self):
        for n in range(3):
            self.ada.create_issue(
                project="OPS", issuetype={"name": "Task"}, summary=f"Paging item {n}"
            )
        jql = 'project = OPS AND summary ~ "Paging item" ORDER BY created ASC'
        page = self.ada.enhanced_search_issues(jql, maxResults=2, fields="summary")
        self.assertEqual([i.fields.summary for i in page], ["Paging item 0", "Paging item 1"])
        self.assertIsNotNone(page.nextPageToken)
        rest = self.ada.enhanced_search_issues(
            jql, nextPageToken=page.nextPageToken, maxResults=2, fields="summary"
        )
        self.assertEqual([i.fields.summary for i in rest], ["Paging item 2"])
        self.assertIsNone(rest.nextPageToken)
        everything = self.ada.enhanced_search_issues(jql, maxResults=0, fields="summary")
        self.assertEqual(len(everything), 3)
        posted = self.ada.search_issues(jql, fields="summary", use_post=True)
        self.assertEqual(len(posted), 3)
        with self.assertRaises(JIRAError) as e:
            self.ada.search_issues("project = = OPS")
        self.assertEqual(e.exception.status_code, 400)
        self.assertIn("Error in the JQL Query", e.exception.text)

    def test_portal_request_transition_and_links(self):
        desks = self.rita.service_desks()
        self.assertEqual([d.projectKey for d in desks], ["AIR"])
        types = self.rita.request_types(desks[0])
        self.assertIn("AI tool access", [t.name for t in types])
        # By request type name: the client looks the id up itself.
        request = self.rita.create_customer_request(
            {
                "serviceDeskId": desks[0].id,
                "requestTypeId": "AI tool access",
                "requestFieldValues": {
                    "summary": "Access to Claude",
                    "description": "For ticket summaries",
                },
            }
        )
        self.assertTrue(request.key.startswith("AIR-"))
        self.assertEqual(request.fields.reporter.displayName, "Rita Requester")
        self.assertEqual(
            request.raw["fields"]["customfield_10010"]["requestType"]["name"], "AI tool access"
        )
        # Rita sees her request and no transitions; Sam does not see it.
        self.assertEqual(self.rita.transitions(request.key), [])
        with self.assertRaises(JIRAError):
            self.sam.issue(request.key)
        # An agent approves it by transition name.
        names = [t["name"] for t in self.ada.transitions(request.key)]
        self.assertEqual(names, ["Approve", "Decline", "Done"])
        self.ada.transition_issue(request.key, "Approve")
        self.assertEqual(self.ada.issue(request.key).fields.status.name, "Approved")
        # Internal comments stay with the agents.
        self.ada.add_comment(request.key, adf("Checked the licence pool"), is_internal=True)
        self.ada.add_comment(request.key, adf("Approved for 30 days"))
        self.assertEqual(len(self.ada.comments(request.key)), 2)
        self.assertEqual(len(self.rita.comments(request.key)), 1)
        # Link it to an OPS task.
        task = self.ada.create_issue(
            project="OPS", issuetype={"name": "Task"}, summary="Grant the Claude seat"
        )
        self.assertIn("Relates", [t.name for t in self.ada.issue_link_types()])
        self.ada.create_issue_link("Relates", request.key, task.key)
        links = self.ada.issue(request.key).fields.issuelinks
        self.assertEqual([link.outwardIssue.key for link in links], [task.key])

    def test_project_roles_and_groups(self):
        roles = self.ada.project_roles("AIR")
        self.assertEqual(list(roles), ["Service Desk Team"])
        role = self.ada.project_role("AIR", roles["Service Desk Team"]["id"])
        self.assertEqual(role.name, "Service Desk Team")
        self.assertEqual(
            sorted(a.displayName for a in role.actors), ["Bea Approver", "aigis-approvers"]
        )
        with self.assertRaises(JIRAError) as e:
            self.rita.project_roles("AIR")
        self.assertEqual(e.exception.status_code, 404)
        self.assertEqual(self.ada.groups(query="jira"), ["jira-admins", "jira-servicedesk-users"])
        self.assertEqual(self.ada.groups(query="appro"), ["aigis-approvers"])
        self.assertEqual(self.ada.groups(query="nothing-like-this"), [])


if __name__ == "__main__":
    unittest.main()
