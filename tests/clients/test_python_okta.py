"""The official Okta Python SDK (PyPI `okta`, unmodified) against the Okta
simulator: OAuth 2.0 service app with private_key_jwt and DPoP (the SDK's
own nonce retry), then find a user, create a group, add members, list them
over three pages, remove one, and ride out a 429 with the SDK's retry.
Only the SDK's https check is switched off, through its documented
environment configuration (`OKTA_TESTING_TESTINGDISABLEHTTPSCHECK`; a
`testing` key in the dict config lands under `client` and is ignored).

Run by tests/clients/run.sh (make test-clients).
"""

import asyncio
import os
import time
import unittest

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto import jwk
from okta.client import Client as OktaClient
from okta.pagination import PaginationHelper

from simserver import Sim

SIM = None
CLIENT_ID = "0oaclientsdktest0001"


def setUpModule():
    global SIM
    os.environ["OKTA_TESTING_TESTINGDISABLEHTTPSCHECK"] = "true"
    SIM = Sim(os.environ["AIGIS_OKTA_SIM_SERVE"])


def tearDownModule():
    if SIM is not None:
        SIM.stop()


def new_client(private_pem, **extra):
    config = {
        "orgUrl": SIM.url,
        "authorizationMode": "PrivateKey",
        "clientId": CLIENT_ID,
        "scopes": ["okta.groups.manage", "okta.users.read"],
        "privateKey": private_pem,
        "dpopEnabled": True,
        "cache": {"enabled": False},
        "rateLimit": {"maxRetries": 2},
        "logging": {"enabled": False},
    }
    config.update(extra)
    return OktaClient(config)


def group_name(group):
    # GroupProfile is the spec's anyOf (Okta or Active Directory profile).
    return getattr(group.profile, "actual_instance", group.profile).name


class OktaSdk(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cls.pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        public = jwk.JWK.from_pem(cls.pem.encode()).export_public(as_dict=True)
        SIM.control(
            "POST",
            "clients",
            {
                "clientId": CLIENT_ID,
                "jwks": [public],
                "scopes": ["okta.groups.manage", "okta.users.read"],
                "requireDpop": True,
            },
        )
        cls.member_ids = []
        for i in range(5):
            made = SIM.control(
                "POST",
                "users",
                {"email": f"sdk{i}@aigis.example", "firstName": f"Sdk{i}", "lastName": "Test"},
            )
            cls.member_ids.append(made["id"])

    def run_async(self, coro):
        return asyncio.run(coro)

    def test_token_users_groups_members(self):
        async def scenario():
            client = new_client(self.pem)
            users, resp, err = await client.list_users(search='profile.email eq "ada@aigis.example"')
            self.assertIsNone(err)
            self.assertEqual([u.profile.email for u in users], ["ada@aigis.example"])
            self.assertEqual(users[0].status.value, "ACTIVE")
            eve, _, err = await client.get_user("eve@aigis.example")
            self.assertIsNone(err)
            self.assertEqual(eve.status.value, "SUSPENDED")

            groups, _, err = await client.list_groups(search='type eq "APP_GROUP"')
            self.assertIsNone(err)
            self.assertEqual([group_name(g) for g in groups], ["AD Engineering"])

            from okta.models import AddGroupRequest, OktaUserGroupProfile

            group, _, err = await client.add_group(
                AddGroupRequest(profile=OktaUserGroupProfile(name="aigis-sdk", description="SDK test"))
            )
            self.assertIsNone(err)
            self.assertEqual(group.type.value, "OKTA_GROUP")

            for uid in self.member_ids:
                _, resp, err = await client.assign_user_to_group(group.id, uid)
                self.assertIsNone(err)
            # Already a member: still success.
            _, resp, err = await client.assign_user_to_group(group.id, self.member_ids[0])
            self.assertIsNone(err)

            # Pages follow the `after` cursor of the Link rel="next" header.
            page, resp, err = await client.list_group_users(group.id, limit=2)
            self.assertIsNone(err)
            seen = [u.id for u in page]
            pages = 1
            cursor = PaginationHelper.extract_next_cursor(resp.headers)
            while cursor:
                more, resp, err = await client.list_group_users(group.id, after=cursor, limit=2)
                self.assertIsNone(err)
                seen.extend(u.id for u in more)
                pages += 1
                cursor = PaginationHelper.extract_next_cursor(resp.headers)
            self.assertEqual(pages, 3)
            self.assertEqual(sorted(seen), sorted(self.member_ids))

            _, resp, err = await client.unassign_user_from_group(group.id, self.member_ids[0])
            self.assertIsNone(err)
            page, resp, err = await client.list_group_users(group.id)
            self.assertEqual(sorted(u.id for u in page), sorted(self.member_ids[1:]))

            # A 429 with X-Rate-Limit-Reset one second ahead: the SDK waits and retries.
            SIM.control(
                "POST",
                "faults",
                {"pathPrefix": f"/api/v1/groups/{group.id}", "times": 1, "kind": "rateLimited", "resetInSecs": 1},
            )
            started = time.monotonic()
            fetched, resp, err = await client.get_group(group.id)
            self.assertIsNone(err)
            self.assertEqual(group_name(fetched), "aigis-sdk")
            self.assertGreaterEqual(time.monotonic() - started, 0.9)

        self.run_async(scenario())

    def test_wrong_key_is_refused(self):
        async def scenario():
            other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pem = other.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ).decode()
            client = new_client(pem)
            users, resp, err = await client.list_users()
            self.assertIsNotNone(err)
            self.assertIn("signature", str(err))

        self.run_async(scenario())


if __name__ == "__main__":
    unittest.main()
