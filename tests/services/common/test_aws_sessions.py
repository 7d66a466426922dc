"""services/common/aws.py's sessions: one model loader per process, credentials per session."""
from __future__ import annotations

import boto3

from services.common import aws


def test_sessions_share_the_loader_and_its_search_path_does_not_grow():
    before = list(aws.botocore_session().get_component("data_loader").search_paths)
    sessions = [aws.botocore_session() for _ in range(5)]
    for session in sessions:
        boto3.Session(botocore_session=session).client("ec2", region_name="us-east-1")
    loaders = {id(session.get_component("data_loader")) for session in sessions}
    assert loaders == {id(aws._SHARED_LOADER)}
    paths = aws._SHARED_LOADER.search_paths
    assert len(paths) == len(set(paths))
    assert len(paths) <= len(before) + 1   # boto3's own data folder, once


def test_clients_of_one_loader_keep_their_own_credentials():
    first = aws.client("sts", "us-east-1", aws.Credentials("AKIAFIRST", "secret-1", "token-1", None))
    second = aws.client("sts", "us-east-1", aws.Credentials("AKIASECOND", "secret-2", "token-2", None))
    assert first._request_signer._credentials.access_key == "AKIAFIRST"
    assert second._request_signer._credentials.access_key == "AKIASECOND"
    # the parsed service model is the loader's, not parsed again for the second client
    assert first.meta.service_model._service_description is second.meta.service_model._service_description
