"""GET /api/aws/account/{id}/budget/{csv|xlsx} (gateway/api/budget.py) names its file after the
account, against stand-ins for identity, accounts and budget: budget-<name>.<format> with the name
made safe (gateway/headers.py's attachment), the id when nothing of the name is left, and an RFC
6266 Content-Disposition with filename*= for a name beyond ASCII. The header is also read back by
werkzeug's parser (filename*= decoded and preferred, as RFC 6266 asks of clients)."""
from __future__ import annotations

import pytest
from werkzeug.http import parse_options_header

from cloudsketch.accounts.v1 import accounts_pb2 as accounts_pb
from cloudsketch.budget.v1 import budget_pb2 as budget_pb
from gateway import create_app
from tests.helpers.gateway import KEY, Identity

ACCOUNT = "3f2a9c1e-acct"


class Accounts:
    def __init__(self):
        self.name = "Production"

    def GetAccount(self, request):
        return accounts_pb.GetAccountResponse(account=accounts_pb.Account(id=request.id, name=self.name,
                                                                          aws_account_id="123456789012"))


class Budget:
    def ExportAccountBudget(self, request):
        return budget_pb.ExportAccountBudgetResponse(state=budget_pb.BUDGET_STATE_READY, content=b"id,cost\n",
                                                     content_type="text/csv; charset=utf-8")


class Clients:
    def __init__(self):
        self.identity, self.accounts, self.budget = Identity(), Accounts(), Budget()


@pytest.fixture
def clients():
    return Clients()


def download(clients, name: str, fmt: str = "csv") -> tuple[str, str]:
    """The Content-Disposition of the account's budget file, and the file name a client reads in it."""
    clients.accounts.name = name
    reply = create_app(clients).test_client().get(f"/api/aws/account/{ACCOUNT}/budget/{fmt}", headers=KEY)
    assert reply.status_code == 200, reply.get_data(as_text=True)
    header = reply.headers["Content-Disposition"]
    disposition, parameters = parse_options_header(header)
    assert disposition == "attachment"
    return header, parameters["filename"]


@pytest.mark.parametrize("name, filename", [
    ("Production", "budget-Production.csv"),
    ("Prod (eu-west-1) v2.0", "budget-Prod-eu-west-1-v2.0.csv"),
    ('evil"; filename="x.exe', "budget-evil-filename-x.exe.csv"),
    ("line\r\nSet-Cookie: a=b", "budget-line-Set-Cookie-a-b.csv"),
    ("../../etc/passwd", "budget-etc-passwd.csv"),
    ("C:\\Windows\\system32", "budget-C-Windows-system32.csv"),
    ("..", f"budget-{ACCOUNT}.csv"),
    ("", f"budget-{ACCOUNT}.csv"),
    ("x" * 300, f"budget-{'x' * 80}.csv"),
])
def test_the_file_is_named_after_the_account_made_safe(clients, name, filename):
    header, read = download(clients, name)
    assert read == filename
    assert header == f'attachment; filename="{filename}"'     # ASCII only: no filename*


@pytest.mark.parametrize("name, ascii_name, unicode_name", [
    ("Zürich prod", "budget-Z-rich-prod.xlsx", "budget-Zürich-prod.xlsx"),
    ("生产环境", f"budget-{ACCOUNT}.xlsx", "budget-生产环境.xlsx"),
    ("évil\u202e\"/\r\nname", "budget-vil-name.xlsx", "budget-évil-name.xlsx"),   # RLO, quote, separator, CR/LF
])
def test_a_name_beyond_ascii_gets_filename_star_in_utf8(clients, name, ascii_name, unicode_name):
    header, read = download(clients, name, "xlsx")
    assert read == unicode_name                              # a client that knows filename* uses it
    assert header.isascii() and "\r" not in header and "\n" not in header
    assert header.startswith(f'attachment; filename="{ascii_name}"; filename*=UTF-8\'\'')
