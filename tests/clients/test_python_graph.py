"""The official Microsoft Graph Python SDK (PyPI `msgraph-sdk` with
`azure-identity` client credentials, unmodified) against the Graph
simulator over TLS on loopback: token from the simulated
login.microsoftonline.com (client secret), find a user by mail, create a
group, add members by $ref, list them over three @odata.nextLink pages,
remove one, and ride out a 429 with the SDK's Retry-After handling.
Configuration only: the authority and Graph base URL point at the
simulator, its test CA is trusted through SSL_CERT_FILE/REQUESTS_CA_BUNDLE,
and the simulator's host is an allowed host.

Run by tests/clients/run.sh (make test-clients).
"""

import asyncio
import os
import ssl
import tempfile
import time
import unittest

from simserver import Sim

SIM = None
CA_DIR = None
TENANT = "11111111-2222-4333-8444-555555555555"
CLIENT_ID = "aaaaaaaa-0000-4000-8000-00000000a991"
SECRET = "sdk-test-secret"
SCOPE = "https://graph.microsoft.com/.default"


def setUpModule():
    global SIM, CA_DIR
    CA_DIR = tempfile.TemporaryDirectory()
    ca = os.path.join(CA_DIR.name, "sim-ca.pem")
    SIM = Sim(os.environ["AIGIS_GRAPH_SIM_SERVE"], "--tls-ca-out", ca)
    SIM.context = ssl.create_default_context(cafile=ca)
    # httpx (kiota) and requests (msal, azure-core) read these.
    os.environ["SSL_CERT_FILE"] = ca
    os.environ["REQUESTS_CA_BUNDLE"] = ca
    SIM.control(
        "POST",
        "apps",
        {"clientId": CLIENT_ID, "roles": ["GroupMember.ReadWrite.All", "User.Read.All", "Group.Create"], "secret": SECRET},
    )


def tearDownModule():
    if SIM is not None:
        SIM.stop()
    if CA_DIR is not None:
        CA_DIR.cleanup()


def graph_client(secret=SECRET):
    from azure.identity.aio import ClientSecretCredential
    from kiota_authentication_azure.azure_identity_authentication_provider import (
        AzureIdentityAuthenticationProvider,
    )
    from msgraph import GraphRequestAdapter, GraphServiceClient

    host = SIM.url.split("://", 1)[1]
    credential = ClientSecretCredential(
        TENANT,
        CLIENT_ID,
        secret,
        authority=host,
        disable_instance_discovery=True,
    )
    auth = AzureIdentityAuthenticationProvider(
        credential, scopes=[SCOPE], allowed_hosts=[host, host.split(":")[0]]
    )
    adapter = GraphRequestAdapter(auth)
    adapter.base_url = f"{SIM.url}/v1.0"
    return GraphServiceClient(request_adapter=adapter), credential


class GraphSdk(unittest.TestCase):
    def test_token_users_groups_members(self):
        from kiota_abstractions.base_request_configuration import RequestConfiguration
        from msgraph.generated.models.group import Group
        from msgraph.generated.models.reference_create import ReferenceCreate
        from msgraph.generated.users.users_request_builder import UsersRequestBuilder
        from msgraph.generated.groups.item.members.members_request_builder import MembersRequestBuilder

        ids = [
            SIM.control("POST", "users", {"displayName": f"Sdk {i}", "mail": f"sdk{i}@aigis.example"})["id"]
            for i in range(5)
        ]

        async def scenario():
            client, credential = graph_client()
            try:
                q = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
                    filter="mail eq 'bea@aigis.example'", select=["id", "mail", "accountEnabled"]
                )
                users = await client.users.get(request_configuration=RequestConfiguration(query_parameters=q))
                self.assertEqual([u.mail for u in users.value], ["bea@aigis.example"])
                self.assertTrue(users.value[0].account_enabled)

                group = await client.groups.post(
                    Group(display_name="aigis-sdk", mail_enabled=False, mail_nickname="aigis-sdk", security_enabled=True)
                )
                self.assertTrue(group.id)
                members = client.groups.by_group_id(group.id).members
                for uid in ids:
                    await members.ref.post(
                        ReferenceCreate(odata_id=f"https://graph.microsoft.com/v1.0/directoryObjects/{uid}")
                    )

                mq = MembersRequestBuilder.MembersRequestBuilderGetQueryParameters(top=2)
                page = await members.get(request_configuration=RequestConfiguration(query_parameters=mq))
                seen = [m.id for m in page.value]
                pages = 1
                while page.odata_next_link:
                    page = await members.with_url(page.odata_next_link).get()
                    seen.extend(m.id for m in page.value)
                    pages += 1
                self.assertEqual(pages, 3)
                self.assertEqual(seen, ids)

                await members.by_directory_object_id(ids[0]).ref.delete()
                page = await members.get()
                self.assertEqual([m.id for m in page.value], ids[1:])

                # 429 with Retry-After: 1 — the SDK's retry handler waits and repeats.
                SIM.control(
                    "POST",
                    "faults",
                    {"pathPrefix": f"/v1.0/groups/{group.id}", "times": 1, "kind": "rateLimited", "resetInSecs": 1},
                )
                started = time.monotonic()
                again = await client.groups.by_group_id(group.id).get()
                self.assertEqual(again.display_name, "aigis-sdk")
                self.assertGreaterEqual(time.monotonic() - started, 0.9)
            finally:
                await credential.close()

        asyncio.run(scenario())

    def test_bad_secret_is_refused(self):
        from azure.core.exceptions import ClientAuthenticationError

        async def scenario():
            client, credential = graph_client(secret="not-the-secret")
            try:
                with self.assertRaises(ClientAuthenticationError) as caught:
                    await client.users.get()
                self.assertIn("AADSTS7000215", str(caught.exception))
            finally:
                await credential.close()

        asyncio.run(scenario())


if __name__ == "__main__":
    unittest.main()
