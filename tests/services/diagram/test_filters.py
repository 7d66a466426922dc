"""services/diagram/filters.py: every form of Cloudcraft's filter grammar, through compose (so
containment ids apply), and malformed filters."""
from __future__ import annotations

import pytest

from services.common.errors import InvalidArgument
from services.diagram.compose import compose
from services.diagram.filters import Subject, parse_filter, select
from services.diagram.options import ExportOptions
from tests.services.diagram import estate as e


def names(filter_text: str) -> set[str]:
    data = compose(e.estate(), ExportOptions(filter=filter_text), name="x").data
    return {node["name"] for node in data["nodes"]}


@pytest.mark.parametrize("text, expected", [
    ("app", {"app-1", "app-2", "partner-app"}),                  # name substring
    ("APP-1", {"app-1"}),                                        # any case
    ("i-2", {"app-2"}),                                          # resource id
    (e.DB, {"orders"}),                                          # ARN
    ("type=ec2", {"app-1", "app-2", "partner-app"}),             # Cloudcraft node type
    ("type=AWS::RDS::DBInstance", {"orders"}),                   # CloudFormation type
    ("type=EC2 AND tag=team", {"app-1"}),                        # tag key
    ("tag=env=prod", {"app-1", "app-2", "orders"}),              # tag key and value
    ("env=prod", {"app-1", "app-2", "orders"}),                  # the bare tag form
    ("10.0.2.10", {"app-2"}),                                    # private IP
    ("203.0.113.7", {"nat-1"}),                                  # public IP (a list attribute)
    ("subnet-priv-a", {"app-1", "orders", "vol-1"}),             # a subnet and what it holds
    ("sg-app", {"app-1", "app-2"}),                              # a security group's members
    ("type=ec2 vpc-b", {"partner-app"}),                         # side by side: AND
    ("worker OR jobs", {"worker", "jobs"}),
    ("type=ec2 AND NOT app-1", {"app-2", "partner-app"}),
    ("type=ec2 !app-1", {"app-2", "partner-app"}),
    ("(worker OR jobs) AND type=sqs", {"jobs"}),
    ("NOT (type=ec2 OR type=ebs) AND vpc-a AND NOT type=elb", {"nat-1", "igw-1", "orders", "web-targets"}),
    ('"cdn.example.com"', {"cdn.example.com"}),
    ("tag=Name='app-1'", {"app-1"}),
    ("and", set()),                                              # lower case: a word
])
def test_filter_forms(text, expected):
    assert names(text) == expected


def test_quotes_keep_spaces_operators_and_parentheses():
    subjects = [Subject(name=n, arn=f"arn:aws:sqs:r:1:{i}", resource_id=str(i), cfn_type="AWS::SQS::Queue",
                        tags={"Cost Center": "R&D (lab)"}, attributes={})
                for i, n in enumerate(["web (blue) OR", "AND", "plain"])]
    assert [s.name for s in select(subjects, '"(blue) OR"')] == ["web (blue) OR"]
    assert [s.name for s in select(subjects, '"AND"')] == ["AND"]
    assert len(select(subjects, '"Cost Center"="R&D (lab)"')) == 3
    assert len(select(subjects, 'tag="Cost Center"')) == 3
    assert [s.name for s in select(subjects, r'"web \"x" OR plain')] == ["plain"]


def test_empty_filter_matches_everything():
    assert parse_filter("") is None and parse_filter("   ") is None
    assert len(names("")) == len(names("  "))


@pytest.mark.parametrize("text, position, expected", [
    ("(app", 5, "expected ')' to close the '(' at position 1"),
    ("app)", 4, "unexpected ')'"),
    ("app OR", 7, "expected a search term or '(', found the end of the filter"),
    ("AND app", 1, "expected a search term"),
    ("app AND OR web", 9, "expected a search term or '(', found 'OR'"),
    ("type=", 6, "expected a node type after 'type='"),
    ("tag=", 5, "expected a tag key after 'tag='"),
    ("tag==x", 5, "expected a tag key before '='"),
    ("=prod", 1, "expected a key before '='"),
    ('"unterminated', 1, "unterminated quoted string"),
    ("()", 2, "expected a search term or '(', found ')'"),
    ("NOT", 4, "found the end of the filter"),
])
def test_malformed_filters_say_where_and_what(text, position, expected):
    with pytest.raises(InvalidArgument) as raised:
        parse_filter(text)
    message = str(raised.value)
    assert expected in message and f"position {position}" in message


def test_malformed_filter_fails_compose():
    with pytest.raises(InvalidArgument):
        compose(e.estate(), ExportOptions(filter="(vpc-a"), name="x")
