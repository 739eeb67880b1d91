"""The file store in an S3-compatible bucket (``ODP_FILES_URL=s3://bucket/prefix``): MinIO, Ceph RGW or a cloud S3.

The client is ``s3fs`` (fsspec), so the same filesystem object serves the three readers: this store (put, open,
ranges, presigned URLs), pyarrow (``filesystem=``) and DuckDB (``register_filesystem``, catalog/tables/engine.py;
DuckDB's own S3 extension would be downloaded at run time, which a closed network cannot do).

Work on a file happens on a local copy in ``$ODP_DATA_DIR/cache/staging`` (the scratch dir): an original is hashed
while it is read from the harvested file and uploaded as it is; a Parquet file is written locally and uploaded
when finished. Keys are content-addressed like the local folder's (``prefix/ab/cdef….ext``), so a file already in
the bucket is never uploaded twice, and an upload is never half-visible (S3 puts are atomic). The credentials stay
in this object; its repr and every message name only the bucket and prefix.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import s3fs
from fsspec.asyn import sync

from catalog.config import Settings
from catalog.storage import CHUNK, FileStore, FileTooLarge, StoredFile, StoredFileMissing, sha256_of


class S3FileStore(FileStore):
    def __init__(self, url: str, *, scratch: Path, endpoint_url: str | None = None, access_key: str | None = None,
                 secret_key: str | None = None, region: str | None = None):
        bucket_and_prefix = url.removeprefix("s3://").strip("/")
        self.bucket, _, prefix = bucket_and_prefix.partition("/")
        self.prefix = prefix.strip("/")
        self.description = f"s3://{self.bucket}/{self.prefix}".rstrip("/")
        self.scratch = Path(scratch)
        self._options = {"endpoint_url": endpoint_url, "access_key": access_key, "secret_key": secret_key,
                         "region": region}
        self._fs: s3fs.S3FileSystem | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> S3FileStore:
        def secret(value: Any) -> str | None:
            return value.get_secret_value() if value is not None else None

        assert settings.files_url is not None
        return cls(settings.files_url, scratch=settings.data_dir / "cache" / "staging",
                   endpoint_url=settings.s3_endpoint_url, access_key=secret(settings.s3_access_key),
                   secret_key=secret(settings.s3_secret_key), region=settings.s3_region)

    def __repr__(self) -> str:
        return f"S3FileStore({self.description!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, S3FileStore) and (other.description, other._options) == (
            self.description, self._options)

    def __hash__(self) -> int:
        return hash(self.description)

    def __getstate__(self) -> dict[str, Any]:  # sent to harvest worker processes: the client is made anew there
        return {**self.__dict__, "_fs": None}

    @property
    def filesystem(self) -> s3fs.S3FileSystem:
        if self._fs is None:
            options = self._options
            client: dict[str, Any] = {}
            if options["endpoint_url"]:
                client["endpoint_url"] = options["endpoint_url"]
            if options["region"]:
                client["region_name"] = options["region"]
            # fsspec caches instances by these arguments (one per process), and makes a new one after a fork.
            self._fs = s3fs.S3FileSystem(key=options["access_key"], secret=options["secret_key"],
                                         client_kwargs=client, default_block_size=CHUNK * 5)
        return self._fs

    def key(self, relpath: str) -> str:
        """The object's path as s3fs names it: ``bucket/prefix/ab/cdef….ext``."""
        return f"{self.bucket}/{self.object_key(relpath)}".rstrip("/")

    def object_key(self, relpath: str) -> str:
        """The object's key in its bucket: ``prefix/ab/cdef….ext``."""
        return "/".join(p for p in (self.prefix, relpath) if p)

    def parquet_location(self, relpath: str) -> str:
        return f"s3://{self.key(relpath)}"

    def root_location(self) -> str:
        """What DuckDB is allowed to read: everything under the prefix, nothing else."""
        return f"s3://{self.key('')}/"

    def scratch_dir(self) -> Path:
        self.scratch.mkdir(parents=True, exist_ok=True)
        return self.scratch

    def put(self, source: Path, max_bytes: int | None = None) -> StoredFile:
        source = Path(source)
        size = source.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise FileTooLarge(f"{source.name} is larger than the limit of {max_bytes:,} bytes")
        digest = hashlib.sha256()
        with open(source, "rb") as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
        sha = digest.hexdigest()
        rel = self.relpath_for(sha, source.suffix)
        self._upload(source, rel, size)
        return StoredFile(sha, size, rel, source)

    def add_file(self, finished: Path, suffix: str) -> str:
        digest, size = sha256_of(finished)
        rel = self.relpath_for(digest, suffix)
        try:
            self._upload(finished, rel, size)
        finally:
            finished.unlink(missing_ok=True)
        return rel

    def _upload(self, source: Path, rel: str, size: int) -> None:
        if self._size_or_none(rel) == size:  # content-addressed: the same name holds the same bytes
            return
        self.filesystem.put_file(str(source), self.key(rel))
        stored = self._size_or_none(rel)
        if stored != size:
            raise OSError(f"upload to {self.description}/{rel} ended with {stored} bytes instead of {size}")

    def copy_in(self, source: Path, rel: str) -> bool:
        size = source.stat().st_size
        if self._size_or_none(rel) == size:
            return False
        self._upload(source, rel, size)
        return True

    def _size_or_none(self, relpath: str) -> int | None:
        try:
            return self.size(relpath)
        except StoredFileMissing:
            return None

    def exists(self, relpath: str) -> bool:
        return self._size_or_none(relpath) is not None

    def size(self, relpath: str) -> int:
        try:
            return int(self.filesystem.info(self.key(relpath), refresh=True)["size"])
        except FileNotFoundError:
            raise StoredFileMissing(relpath) from None

    def open(self, relpath: str, *, size: int | None = None, streamed: bool = False) -> IO[bytes]:
        if streamed:
            return _StreamedObject(self, relpath)  # type: ignore[return-value]
        try:  # s3fs's buffered file: ranged GETs of 5 MiB blocks, read ahead
            return self.filesystem.open(self.key(relpath), "rb", block_size=CHUNK * 5, size=size,
                                        cache_type="readahead")
        except FileNotFoundError:
            raise StoredFileMissing(relpath) from None

    def presigned_url(self, relpath: str, seconds: int, *, filename_header: str | None = None,
                      media_type: str | None = None) -> str:
        """A URL of the S3 endpoint that serves the file to anyone holding it for ``seconds``."""
        extra = {}
        if filename_header:
            extra["ResponseContentDisposition"] = filename_header
        if media_type:
            extra["ResponseContentType"] = media_type
        return self.filesystem.sign(self.key(relpath), expiration=seconds, **extra)

    def walk(self) -> Iterator[tuple[str, int]]:
        root = self.key("")
        for path, info in sorted(self.filesystem.find(root, detail=True).items()):
            rel = path[len(root):].lstrip("/")
            if info.get("type") == "file" and not rel.rsplit("/", 1)[-1].startswith("."):
                yield rel, int(info["size"])

    def check(self) -> None:
        """Raise unless the bucket answers (the readiness probe)."""
        if not self.filesystem.exists(self.bucket):
            raise FileNotFoundError("the bucket of the file store does not exist")


class _StreamedObject(io.RawIOBase):
    """An object read front to back with one GET per position: ``seek`` chooses where the next GET starts, and
    ``read`` takes the bytes off that one response as they arrive. A whole download is one request, a range one
    request, several ranges one request each; nothing is buffered beyond the chunk asked for."""

    def __init__(self, store: S3FileStore, relpath: str):
        super().__init__()
        self.store, self.relpath = store, relpath
        self.position = 0
        self.body: Any = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence != io.SEEK_SET:
            raise io.UnsupportedOperation("only absolute positions")
        if offset != self.position:
            self._drop()
            self.position = offset
        return self.position

    def tell(self) -> int:
        return self.position

    def read(self, size: int = -1) -> bytes:
        """``size`` bytes (fewer only at the end of the object)."""
        fs = self.store.filesystem
        if self.body is None:
            try:
                answer = fs.call_s3("get_object", Bucket=self.store.bucket, Key=self.store.object_key(self.relpath),
                                    Range=f"bytes={self.position}-")
            except FileNotFoundError:
                raise StoredFileMissing(self.relpath) from None
            except OSError as exc:  # a range at the very end: S3 answers 416 for "bytes=size-"
                if "InvalidRange" in str(exc) or "416" in str(exc):
                    return b""
                raise
            self.body = answer["Body"]
        parts, wanted = [], size if size >= 0 else None
        while wanted is None or wanted > 0:
            part = sync(fs.loop, self.body.read, wanted if wanted is not None else CHUNK)
            if not part:
                break
            parts.append(part)
            if wanted is not None:
                wanted -= len(part)
        data = b"".join(parts)
        self.position += len(data)
        return data

    def _drop(self) -> None:
        if self.body is not None:
            self.body.close()  # the rest of the response is not wanted: the connection is dropped
            self.body = None

    def close(self) -> None:
        self._drop()
        super().close()
