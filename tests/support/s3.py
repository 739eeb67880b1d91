"""A real S3-protocol server on loopback for the file-store tests: moto's server mode (``ThreadedMotoServer``) on
127.0.0.1 and a free port, started and stopped by the test itself. Production uses MinIO, Ceph RGW or a cloud S3;
the protocol the portal speaks (signed REST requests over HTTP) is the same."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import boto3
import pytest
from moto.server import ThreadedMotoServer

ACCESS_KEY, SECRET_KEY, REGION = "odp-test-access", "odp-test-secret-不可外泄", "us-east-1"


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    bucket: str

    def client(self):
        return boto3.client("s3", endpoint_url=self.endpoint_url, aws_access_key_id=ACCESS_KEY,
                            aws_secret_access_key=SECRET_KEY, region_name=REGION)

    def objects(self, prefix: str = "") -> dict[str, int]:
        """Every object under ``prefix``: key -> size."""
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        return {o["Key"]: o["Size"] for page in pages for o in page.get("Contents", [])}

    def use(self, monkeypatch: pytest.MonkeyPatch, prefix: str) -> str:
        """Point the settings (ODP_FILES_URL and the S3 credentials) at ``s3://bucket/prefix``."""
        url = f"s3://{self.bucket}/{prefix}"
        monkeypatch.setenv("ODP_FILES_URL", url)
        monkeypatch.setenv("ODP_S3_ENDPOINT_URL", self.endpoint_url)
        monkeypatch.setenv("ODP_S3_ACCESS_KEY", ACCESS_KEY)
        monkeypatch.setenv("ODP_S3_SECRET_KEY", SECRET_KEY)
        monkeypatch.setenv("ODP_S3_REGION", REGION)
        return url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def s3_server(bucket: str = "odp-files") -> Iterator[S3Server]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        found = S3Server(f"http://127.0.0.1:{port}", bucket)
        found.client().create_bucket(Bucket=bucket)
        yield found
    finally:
        server.stop()
