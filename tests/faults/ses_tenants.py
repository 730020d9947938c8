"""SES tenants, which moto does not have: the moto proxy answers their API itself, as SES does.

- CreateTenant (`POST /v2/email/tenants`), GetTenant (`POST /v2/email/tenants/get`),
  CreateTenantResourceAssociation (`POST /v2/email/tenants/resources`);
- UpdateReputationEntityCustomerManagedStatus
  (`PUT /v2/email/reputation/entities/RESOURCE/{tenant ARN}/customer-managed-status`): what
  SES's own pause of a tenant whose reputation fails looks like to a sender, and how an
  operator pauses or reinstates one; the tests pause a tenant this way;
- SendEmail naming a `TenantName`: refused as SES refuses it — `NotFoundException` for a tenant
  SES does not know, `BadRequestException` when the configuration set or the sender's identity
  (its address's or its domain's) is not associated with the tenant, `SendingPausedException`
  when the tenant's sending is disabled — and otherwise let through to moto, counted for the
  tenant (`sent`: what moto then refuses, an unverified sender, is counted too).

Control: `GET /__ses/tenants` → every tenant, its resources, status and sends let through.
"""

import json
import re
import threading
import time
import urllib.parse
import uuid
from email.utils import parseaddr

ACCOUNT = "123456789012"  # moto's


def _error(status, kind, message):
    return status, json.dumps({"message": message}).encode(), [("x-amzn-ErrorType", kind)]


def _region(headers):
    match = re.search(r"Credential=[^/]+/\d+/([^/]+)/", headers.get("Authorization", ""))
    return match.group(1) if match else "us-east-1"


class SesTenants:
    def __init__(self):
        self.lock = threading.Lock()
        self.tenants = {}  # name → its record

    def as_json(self):
        with self.lock:
            return {name: dict(t, resources=sorted(t["resources"])) for name, t in self.tenants.items()}

    def handle(self, method, path, headers, body):
        """The answer to an SES tenants call, or to a send SES would refuse for its tenant, as
        (status, body, headers); None when moto is to answer (a send is counted)."""
        path = path.split("?")[0]
        if not path.startswith("/v2/email/"):
            return None
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            request = {}
        with self.lock:
            if method == "POST" and path == "/v2/email/tenants":
                return self._create(request, _region(headers))
            if method == "POST" and path == "/v2/email/tenants/get":
                tenant = self.tenants.get(request.get("TenantName", ""))
                if tenant is None:
                    return _error(404, "NotFoundException", f"Tenant {request.get('TenantName')} does not exist")
                return 200, json.dumps({"Tenant": self._public(tenant)}).encode(), []
            if method == "POST" and path == "/v2/email/tenants/resources":
                return self._associate(request)
            status = re.fullmatch(r"/v2/email/reputation/entities/RESOURCE/(.+)/customer-managed-status", path)
            if method == "PUT" and status:
                return self._set_status(urllib.parse.unquote(status.group(1)), request)
            if method == "POST" and path == "/v2/email/outbound-emails" and request.get("TenantName"):
                return self._check_send(request, _region(headers))
        return None

    @staticmethod
    def _public(tenant):
        return {k: tenant[k] for k in ("TenantName", "TenantId", "TenantArn", "CreatedTimestamp", "SendingStatus")}

    def _create(self, request, region):
        name = request.get("TenantName", "")
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", name):
            return _error(400, "BadRequestException", f"Invalid tenant name: {name!r}")
        if name in self.tenants:
            return _error(400, "AlreadyExistsException", f"Tenant {name} already exists")
        tenant_id = "tn-" + uuid.uuid4().hex[:20]
        self.tenants[name] = {
            "TenantName": name, "TenantId": tenant_id,
            "TenantArn": f"arn:aws:ses:{region}:{ACCOUNT}:tenant/{name}/{tenant_id}",
            "CreatedTimestamp": time.time(), "SendingStatus": "ENABLED", "resources": set(), "sent": 0,
        }
        return 200, json.dumps(self._public(self.tenants[name])).encode(), []

    def _associate(self, request):
        tenant = self.tenants.get(request.get("TenantName", ""))
        if tenant is None:
            return _error(404, "NotFoundException", f"Tenant {request.get('TenantName')} does not exist")
        arn = request.get("ResourceArn", "")
        if not re.fullmatch(r"arn:aws:ses:[a-z0-9-]+:\d{12}:(identity|configuration-set|template)/.+", arn):
            return _error(400, "BadRequestException", f"Invalid resource ARN: {arn!r}")
        if arn in tenant["resources"]:
            return _error(400, "AlreadyExistsException", f"{arn} is already associated with {tenant['TenantName']}")
        tenant["resources"].add(arn)
        return 200, b"{}", []

    def _set_status(self, arn, request):
        tenant = next((t for t in self.tenants.values() if t["TenantArn"] == arn), None)
        if tenant is None:
            return _error(404, "NotFoundException", f"No reputation entity {arn}")
        status = request.get("SendingStatus")
        if status not in ("ENABLED", "REINSTATED", "DISABLED"):
            return _error(400, "BadRequestException", f"Invalid SendingStatus: {status!r}")
        tenant["SendingStatus"] = status
        return 200, b"{}", []

    def _check_send(self, request, region):
        name = request["TenantName"]
        tenant = self.tenants.get(name)
        if tenant is None:
            return _error(404, "NotFoundException", f"Tenant {name} does not exist")
        base = f"arn:aws:ses:{region}:{ACCOUNT}"
        configuration_set = request.get("ConfigurationSetName")
        if configuration_set and f"{base}:configuration-set/{configuration_set}" not in tenant["resources"]:
            return _error(400, "BadRequestException",
                          f"Configuration set {configuration_set} is not associated with tenant {name}")
        _, address = parseaddr(request.get("FromEmailAddress", ""))
        domain = address.rsplit("@", 1)[-1]
        if not {f"{base}:identity/{address}", f"{base}:identity/{domain}"} & tenant["resources"]:
            return _error(400, "BadRequestException", f"Identity {address} is not associated with tenant {name}")
        if tenant["SendingStatus"] == "DISABLED":
            return _error(400, "SendingPausedException", f"Sending is paused for tenant {name}")
        tenant["sent"] += 1
        return None
