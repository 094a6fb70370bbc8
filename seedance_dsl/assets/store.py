"""Upload local assets to the user's S3-compatible store, content-addressed, and hand out
URLs the service can fetch.

- **Configured** from a profile's ``store`` table (:func:`store_config`): bucket, prefix,
  endpoint URL (R2, B2, MinIO, GCS interop), region, an AWS profile name, addressing
  style, the expiry of presigned GET URLs, or a public base URL.  **Credentials** come
  from boto3's normal chain (environment, ``~/.aws/credentials``, SSO, instance role):
  seedance-dsl never reads, writes or prints them, and a ``store`` table that holds one is
  refused.
- **Content-addressed keys**: ``<prefix>sha256/<hex><suffix>``.  Every upload is preceded
  by a HEAD: a file whose bytes are already there (from any render of any storyboard) is
  never sent again, and an interrupted batch resumes where it stopped.
- **Parallel**, bounded by ``asset_upload_concurrency``; **progress** through a callback
  (called from worker threads).
- **Checked first**: :meth:`S3Store.check` (HEAD of the bucket) turns an unreachable
  endpoint, missing credentials, a missing bucket or a refusal into a
  :class:`StoreError` with a help line, before anything is submitted.
- **Recorded**: :func:`record_uploads` writes what went where into a sqlite table
  (``asset_uploads``) of a connection the caller owns (the state DB).

Errors never carry the text of boto3's exceptions (they can hold endpoint userinfo or
signed URLs): only the error code and our own sentence.
"""

from __future__ import annotations

import io
import math
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal, Protocol
from urllib.parse import quote, urlsplit

from ..errors import SeedanceDSLError
from ..limits import exceeded_help, limit
from ..syntax.source import read_bytes
from .model import LocalAsset, redact_url

__all__ = [
    "MAX_PRESIGN_EXPIRY_S",
    "AssetStore",
    "S3Store",
    "SandboxStore",
    "StoreConfig",
    "StoreError",
    "Upload",
    "UploadProgress",
    "UploadRecord",
    "ensure_upload_table",
    "record_uploads",
    "recorded_uploads",
    "redact_url",
    "store_config",
]

#: SigV4 presigned URLs live at most 7 days.
MAX_PRESIGN_EXPIRY_S = 7 * 24 * 3600
_DEFAULT_EXPIRY_S = MAX_PRESIGN_EXPIRY_S
_SIZE_LIMIT = {"image": "asset_image_bytes", "video": "asset_video_bytes"}
_CREDENTIAL_KEYS = frozenset(
    {
        "aws_access_key_id",
        "aws_secret_access_key",
        "aws_session_token",
        "access_key",
        "access_key_id",
        "secret_key",
        "secret_access_key",
        "secret",
        "session_token",
        "password",
        "token",
    }
)
_KNOWN_KEYS = frozenset(
    {
        "bucket",
        "prefix",
        "endpoint_url",
        "region",
        "aws_profile",
        "addressing_style",
        "presign_expiry",
        "public_base_url",
    }
)


class StoreError(SeedanceDSLError):
    """The asset store cannot be used (configuration, reachability, credentials, bucket,
    an upload that failed).  Exit 2 for configuration, like other settings."""

    exit_code = 2
    kind = "store"


@dataclass(frozen=True, slots=True)
class StoreConfig:
    """Where assets go.  See docs/assets.md for S3, R2 and MinIO examples."""

    bucket: str
    prefix: str = "seedance/"
    endpoint_url: str | None = None
    region: str | None = None
    #: a profile of ``~/.aws/config`` / ``~/.aws/credentials`` (boto3's own files)
    aws_profile: str | None = None
    addressing_style: Literal["auto", "path", "virtual"] = "auto"
    #: seconds a presigned GET URL stays valid (at most 7 days)
    presign_expiry_s: int = _DEFAULT_EXPIRY_S
    #: a public bucket's base URL: URLs are ``<base>/<key>``, never signed, never expire
    public_base_url: str | None = None

    @property
    def store_id(self) -> str:
        """Names the store in the upload record: endpoint (redacted) and bucket."""
        where = redact_url(self.endpoint_url) if self.endpoint_url else "aws"
        return f"s3:{where}/{self.bucket}"


def store_config(table: Mapping[str, Any], *, where: str = "the store table") -> StoreConfig:
    """A :class:`StoreConfig` from a profile's ``store`` table (TOML), or a
    :class:`StoreError` that says which key is wrong.  ``where`` names the table in
    messages (``config.toml [profiles.work.store]``)."""
    leaked = sorted(k for k in table if k.lower() in _CREDENTIAL_KEYS)
    if leaked:
        raise StoreError(
            f"{where} holds credentials ({', '.join(leaked)}); seedance-dsl never reads them "
            "from its own config",
            help="remove them and use boto3's normal configuration: AWS_ACCESS_KEY_ID / "
            "AWS_SECRET_ACCESS_KEY in the environment, or ~/.aws/credentials with "
            "`aws_profile = NAME` here",
        )
    unknown = sorted(k for k in table if k not in _KNOWN_KEYS)
    if unknown:
        raise StoreError(
            f"{where}: unknown key(s) {', '.join(unknown)}",
            help=f"the keys of a store table are {', '.join(sorted(_KNOWN_KEYS))}",
        )

    def text(key: str) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise StoreError(f"{where}: {key} must be a non-empty string", help=None)
        return value.strip()

    bucket = text("bucket")
    if bucket is None:
        raise StoreError(f"{where} has no bucket", help='add `bucket = "my-bucket"`')
    prefix = text("prefix")
    prefix = "seedance/" if prefix is None else prefix.strip("/") + "/"
    endpoint = text("endpoint_url")
    public = text("public_base_url")
    for key, url in (("endpoint_url", endpoint), ("public_base_url", public)):
        if url is not None:
            parts = urlsplit(url)
            if "@" in parts.netloc or "@" in url.split("?", 1)[0]:
                raise StoreError(
                    f"{where}: {key} must not hold credentials (user:password@)",
                    help="credentials come from boto3's normal configuration",
                )
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise StoreError(
                    f"{where}: {key} must be an http(s) URL with a host (not shown: it may "
                    "hold a credential)",
                    help="e.g. https://<account>.r2.cloudflarestorage.com",
                )
    if public is not None and urlsplit(public).scheme != "https":
        raise StoreError(
            f"{where}: public_base_url must be https (the service fetches only public https URLs)",
            help=None,
        )
    style = text("addressing_style") or "auto"
    if style not in ("auto", "path", "virtual"):
        raise StoreError(f"{where}: addressing_style must be auto, path or virtual", help=None)
    expiry = table.get("presign_expiry", _DEFAULT_EXPIRY_S)
    expiry_s = _seconds(expiry, where)
    return StoreConfig(
        bucket=bucket,
        prefix=prefix,
        endpoint_url=endpoint,
        region=text("region"),
        aws_profile=text("aws_profile"),
        addressing_style=style,  # type: ignore[arg-type]
        presign_expiry_s=expiry_s,
        public_base_url=public.rstrip("/") if public else None,
    )


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _seconds(value: object, where: str) -> int:
    """``presign_expiry``: a number of seconds, or ``"90m"``, ``"12h"``, ``"7d"``."""
    seconds: float = math.nan
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and value.strip():
        raw = value.strip().lower()
        unit = _UNITS.get(raw[-1])
        try:
            seconds = float(raw[:-1]) * unit if unit else float(raw)
        except ValueError:
            seconds = math.nan
    if not (math.isfinite(seconds) and 1 <= seconds <= MAX_PRESIGN_EXPIRY_S):
        raise StoreError(
            f"{where}: presign_expiry must be between 1 s and 7 days, not {value!r}",
            help='e.g. presign_expiry = "24h" (a presigned S3 URL lives at most 7 days; '
            "for longer, make the bucket public and set public_base_url)",
        )
    return int(seconds)


@dataclass(frozen=True, slots=True)
class Upload:
    """One asset in the store: where it came from and the URL to send."""

    name: str
    path: str
    sha256: str
    size: int
    key: str
    url: str
    #: when ``url`` stops working (epoch seconds); None for a public base URL
    expires_at: float | None
    #: bytes sent for it in this run: 0 when the object was already there
    bytes_sent: int

    @property
    def reused(self) -> bool:
        return self.bytes_sent == 0


@dataclass(frozen=True, slots=True)
class UploadProgress:
    """Handed to the progress callback (from a worker thread) as bytes go out."""

    name: str
    sent: int
    total: int
    done: bool
    reused: bool = False


ProgressCallback = Callable[[UploadProgress], None]


class S3Store:
    """An S3-compatible bucket, through boto3.  The boto3 client is thread-safe and
    shared by the upload workers; pass ``client`` to use one built elsewhere."""

    def __init__(self, config: StoreConfig, *, client: Any = None) -> None:
        self.config = config
        self._client = client
        self._lock = threading.Lock()

    # -- the client -----------------------------------------------------------------

    @property
    def store_id(self) -> str:
        return self.config.store_id

    @property
    def client(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client = self._make_client()
            return self._client

    def _make_client(self) -> Any:
        _quiet_boto_debug()
        import boto3
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError, ProfileNotFound

        cfg = self.config
        timeout = limit("asset_store_timeout")
        try:
            session = boto3.session.Session(profile_name=cfg.aws_profile)
            return session.client(
                "s3",
                endpoint_url=cfg.endpoint_url,
                region_name=cfg.region,
                config=Config(
                    connect_timeout=timeout,
                    read_timeout=timeout,
                    retries={"max_attempts": 3, "mode": "standard"},
                    s3={"addressing_style": cfg.addressing_style},
                    signature_version="s3v4",
                ),
            )
        except ProfileNotFound:
            raise StoreError(
                f"the AWS profile {cfg.aws_profile!r} of the store is not in ~/.aws/config "
                "or ~/.aws/credentials",
                help="create it (`aws configure --profile NAME`) or fix aws_profile",
            ) from None
        except (BotoCoreError, ValueError) as exc:
            raise StoreError(
                f"the asset store cannot be configured ({type(exc).__name__})",
                help="check endpoint_url and region of the store table",
            ) from None

    # -- errors ----------------------------------------------------------------------

    def _where(self) -> str:
        cfg = self.config
        endpoint = redact_url(cfg.endpoint_url) if cfg.endpoint_url else "AWS S3"
        return f"bucket {cfg.bucket!r} at {endpoint}"

    def _error(self, exc: Exception, doing: str) -> StoreError:
        """Our own sentence for a boto3 exception (never its text)."""
        from botocore.exceptions import (
            ClientError,
            ConnectTimeoutError,
            EndpointConnectionError,
            NoCredentialsError,
            PartialCredentialsError,
            ReadTimeoutError,
        )

        where = self._where()
        if isinstance(exc, NoCredentialsError | PartialCredentialsError):
            return StoreError(
                f"no credentials for the asset store ({where}) while {doing}",
                help="set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile of "
                "~/.aws/credentials with `aws_profile` in the store table",
            )
        if isinstance(exc, ConnectTimeoutError | ReadTimeoutError):
            return StoreError(
                f"the asset store ({where}) did not answer while {doing}",
                help=exceeded_help("asset_store_timeout"),
            )
        if isinstance(exc, EndpointConnectionError):
            return StoreError(
                f"cannot reach the asset store ({where}) while {doing}",
                help="check endpoint_url and your network; nothing was submitted",
            )
        if isinstance(exc, ClientError):
            err = exc.response.get("Error", {})
            code = str(err.get("Code", "?"))
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in ("NoSuchBucket", "404") or (status == 404 and doing == "checking it"):
                return StoreError(
                    f"the asset store has no {where}",
                    help="create the bucket, or fix `bucket` / `endpoint_url` in the store table",
                )
            if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken"):
                return StoreError(
                    f"the asset store ({where}) refused the credentials ({code}) while {doing}",
                    help="check the access key and secret of boto3's configuration "
                    "(environment or ~/.aws/credentials)",
                )
            if code in ("AccessDenied", "403") or status == 403:
                return StoreError(
                    f"the asset store ({where}) denied access while {doing}",
                    help="the credentials need s3:GetObject, s3:PutObject and s3:ListBucket "
                    "on the bucket",
                )
            return StoreError(
                f"the asset store ({where}) answered {code} (HTTP {status}) while {doing}",
                help="see the store's documentation for this error code",
            )
        return StoreError(
            f"the asset store ({where}) failed while {doing} ({type(exc).__name__})",
            help="check the store table of the profile and the network",
        )

    def _call(self, doing: str, fn: Callable[[], Any]) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return fn()
        except (BotoCoreError, ClientError) as exc:
            raise self._error(exc, doing) from None

    # -- the API -----------------------------------------------------------------------

    def check(self) -> None:
        """Raise :class:`StoreError` unless the bucket is reachable with the credentials
        in force.  Call before the first submit."""
        client = self.client
        self._call("checking it", lambda: client.head_bucket(Bucket=self.config.bucket))

    def key_for(self, sha256: str, suffix: str = "") -> str:
        return f"{self.config.prefix}sha256/{sha256}{suffix}"

    def has(self, key: str, size: int, sha256: str | None = None) -> bool:
        """Whether ``key`` holds the whole upload (a HEAD): ``size`` bytes and, given
        ``sha256``, the ``sha256`` metadata our upload writes with the object.  An object
        without it — what an interrupted or a foreign upload left, even of the right
        size — is not taken as done: it is uploaded again."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            head = self.client.head_object(Bucket=self.config.bucket, Key=key)
        except ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status == 404 or exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
                return False
            raise self._error(exc, f"looking for {key}") from None
        except BotoCoreError as exc:
            raise self._error(exc, f"looking for {key}") from None
        if int(head.get("ContentLength", -1)) != size:
            return False
        if sha256 is None:
            return True
        meta = {str(k).lower(): str(v) for k, v in (head.get("Metadata") or {}).items()}
        return meta.get("sha256") == sha256

    def url_for(self, key: str, *, now: float | None = None) -> tuple[str, float | None]:
        """The URL the service fetches ``key`` from, and when it expires."""
        cfg = self.config
        if cfg.public_base_url is not None:
            return f"{cfg.public_base_url}/{quote(key)}", None
        client = self.client
        url = self._call(
            f"signing a URL for {key}",
            lambda: client.generate_presigned_url(
                "get_object",
                Params={"Bucket": cfg.bucket, "Key": key},
                ExpiresIn=cfg.presign_expiry_s,
            ),
        )
        return str(url), (time.time() if now is None else now) + cfg.presign_expiry_s

    def upload(self, asset: LocalAsset, progress: ProgressCallback | None = None) -> Upload:
        """Put one asset (unless its bytes are there already) and sign its URL."""
        key = self.key_for(asset.sha256, asset.suffix)
        sent = 0
        if self.has(key, asset.size, asset.sha256):
            if progress is not None:
                progress(UploadProgress(asset.name, 0, asset.size, True, reused=True))
        else:
            data = _read_checked(asset)
            sent = self._put(asset, key, data, progress)
        url, expires = self.url_for(key)
        return Upload(asset.name, asset.path, asset.sha256, asset.size, key, url, expires, sent)

    def upload_many(
        self,
        assets: Sequence[LocalAsset],
        *,
        progress: ProgressCallback | None = None,
        concurrency: int | None = None,
    ) -> list[Upload]:
        """Upload every asset (the same bytes once), ``concurrency`` at a time
        (default: the ``asset_upload_concurrency`` limit); the result is in the order of
        ``assets``.  The first failure is raised once every started upload has ended."""
        self.client  # noqa: B018 - build the client once, before the threads share it
        return _upload_all(self.upload, assets, progress, concurrency)

    # -- internals ------------------------------------------------------------------

    def _put(
        self, asset: LocalAsset, key: str, data: bytes, progress: ProgressCallback | None
    ) -> int:
        from boto3.s3.transfer import TransferConfig

        sent = 0
        lock = threading.Lock()

        def callback(n: int) -> None:
            nonlocal sent
            with lock:
                sent += n
                now = sent
            if progress is not None:
                progress(UploadProgress(asset.name, min(now, asset.size), asset.size, False))

        client = self.client
        self._call(
            f"uploading {asset.name}",
            lambda: client.upload_fileobj(
                io.BytesIO(data),
                self.config.bucket,
                key,
                ExtraArgs={"ContentType": asset.mime, "Metadata": {"sha256": asset.sha256}},
                Callback=callback,
                Config=TransferConfig(use_threads=False, multipart_threshold=16 * 1024 * 1024),
            ),
        )
        if progress is not None:
            progress(UploadProgress(asset.name, asset.size, asset.size, True))
        return len(data)


class AssetStore(Protocol):
    """What the upload step needs of a store: :class:`S3Store` for the real service,
    :class:`SandboxStore` for ``render --sandbox``."""

    @property
    def store_id(self) -> str: ...

    def check(self) -> None: ...

    def upload_many(
        self,
        assets: Sequence[LocalAsset],
        *,
        progress: ProgressCallback | None = None,
        concurrency: int | None = None,
    ) -> list[Upload]: ...


#: the sandbox's route for uploaded assets (sandbox/state.py ASSETS_PREFIX; the two
#: sides agree through this documented path, not through shared code)
SANDBOX_ASSETS_PATH = "/_sandbox/assets"


class SandboxStore:
    """The sandbox as the store: ``PUT /_sandbox/assets/<sha256><suffix>`` (with the
    sandbox key), served back by the sandbox, which draws them in its animatics.  Same
    rules as :class:`S3Store`: HEAD first, the same bytes once, bounded parallelism."""

    def __init__(self, base_url: str, api_key: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._key = api_key

    @property
    def store_id(self) -> str:
        return f"sandbox:{redact_url(self.base_url)}"

    def _client(self) -> Any:
        import httpx

        timeout = limit("asset_store_timeout")
        return httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout),
            headers={"Authorization": f"Bearer {self._key}"},
            trust_env=False,
        )

    def _fail(self, doing: str, exc: Exception) -> StoreError:
        return StoreError(
            f"the sandbox at {redact_url(self.base_url)} cannot be reached while {doing} "
            f"({type(exc).__name__})",
            help="start it (`seedance sandbox serve`) or check the base URL",
        )

    def check(self) -> None:
        import httpx

        probe = f"{SANDBOX_ASSETS_PATH}/{'0' * 64}.png"
        try:
            with self._client() as c:
                r = c.head(probe)
        except httpx.HTTPError as exc:
            raise self._fail("checking it", exc) from None
        if r.status_code not in (200, 404):
            raise StoreError(
                f"the server at {redact_url(self.base_url)} does not take assets "
                f"(HTTP {r.status_code} to HEAD {SANDBOX_ASSETS_PATH}/...)",
                help="only the seedance sandbox takes uploads; configure a store for a "
                "real service",
            )

    def url_for(self, key: str) -> str:
        return f"{self.base_url}{SANDBOX_ASSETS_PATH}/{key}"

    def upload(self, asset: LocalAsset, progress: ProgressCallback | None = None) -> Upload:
        import httpx

        key = f"{asset.sha256}{asset.suffix}"
        path = f"{SANDBOX_ASSETS_PATH}/{key}"
        sent = 0
        try:
            with self._client() as c:
                head = c.head(path)
                there = head.status_code == 200 and head.headers.get("content-length") == str(
                    asset.size
                )
                if not there:
                    data = _read_checked(asset)
                    r = c.put(path, content=data, headers={"Content-Type": asset.mime})
                    if r.status_code != 201:
                        raise StoreError(
                            f"the sandbox refused asset {asset.name} (HTTP {r.status_code}: "
                            f"{_sandbox_message(r)})",
                            help="see the sandbox's message",
                        )
                    sent = len(data)
        except httpx.HTTPError as exc:
            raise self._fail(f"uploading {asset.name}", exc) from None
        if progress is not None:
            progress(UploadProgress(asset.name, sent, asset.size, True, reused=sent == 0))
        return Upload(
            asset.name, asset.path, asset.sha256, asset.size, key, self.url_for(key), None, sent
        )

    def upload_many(
        self,
        assets: Sequence[LocalAsset],
        *,
        progress: ProgressCallback | None = None,
        concurrency: int | None = None,
    ) -> list[Upload]:
        return _upload_all(self.upload, assets, progress, concurrency)


def _sandbox_message(r: Any) -> str:
    try:
        return str(r.json()["error"]["message"])[:300]
    except (ValueError, KeyError, TypeError):
        return "no message"


def _read_checked(asset: LocalAsset) -> bytes:
    """The bytes of ``asset`` (confined, capped), refused if they changed since the
    check (their hash is the object's name)."""
    import hashlib

    data, diags = read_bytes(asset.path, limit_name=_SIZE_LIMIT[asset.kind], what="an asset file")
    if data is None:
        raise StoreError(f"asset {asset.name}: {diags[0].message}", help=diags[0].help)
    if hashlib.sha256(data).hexdigest() != asset.sha256:
        raise StoreError(
            f"asset {asset.name}: {asset.path} changed since it was checked",
            help="run the command again (it checks the file anew)",
        )
    return data


def _upload_all(
    upload: Callable[[LocalAsset, ProgressCallback | None], Upload],
    assets: Sequence[LocalAsset],
    progress: ProgressCallback | None,
    concurrency: int | None,
) -> list[Upload]:
    """``upload`` every asset (the same bytes once), ``concurrency`` at a time; results
    in the order of ``assets``; the first failure raised once all started ones ended."""
    if not assets:
        return []
    workers = max(1, concurrency or int(limit("asset_upload_concurrency")))
    first: dict[str, LocalAsset] = {}
    for a in assets:
        first.setdefault(a.sha256, a)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="asset-upload") as pool:
        futures = {sha: pool.submit(upload, a, progress) for sha, a in first.items()}
    done: dict[str, Upload] = {}
    for sha, fut in futures.items():
        exc = fut.exception()
        if exc is not None:
            raise exc
        done[sha] = fut.result()
    out: list[Upload] = []
    for a in assets:
        up = done[a.sha256]
        if a is not first[a.sha256]:
            up = Upload(a.name, a.path, up.sha256, up.size, up.key, up.url, up.expires_at, 0)
        out.append(up)
    return out


_BOTO_LOGGERS = ("botocore", "boto3", "s3transfer", "urllib3")


def _quiet_boto_debug() -> None:
    """botocore's DEBUG records hold the signed request (session token, access key id):
    a program that turns on DEBUG logging must not write them to its log.  Loggers left
    at their default level are set to INFO; a level chosen on purpose is kept."""
    import logging

    for name in _BOTO_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.INFO)


# ---------------------------------------------------------------------------- record

_TABLE = """
CREATE TABLE IF NOT EXISTS asset_uploads (
    store       TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    key         TEXT NOT NULL,
    size        INTEGER NOT NULL,
    path        TEXT NOT NULL,
    first_at    REAL NOT NULL,
    last_at     REAL NOT NULL,
    bytes_sent  INTEGER NOT NULL,
    PRIMARY KEY (store, sha256)
)
"""


@dataclass(frozen=True, slots=True)
class UploadRecord:
    """One row of ``asset_uploads``: the bytes ``sha256`` are in ``store`` at ``key``."""

    store: str
    sha256: str
    key: str
    size: int
    path: str
    first_at: float
    last_at: float
    bytes_sent: int


def ensure_upload_table(conn: sqlite3.Connection) -> None:
    conn.execute(_TABLE)


def record_uploads(
    conn: sqlite3.Connection,
    store: StoreConfig | AssetStore,
    uploads: Iterable[Upload],
    *,
    now: float | None = None,
) -> None:
    """Record ``uploads`` in ``asset_uploads`` (one transaction).  URLs are not stored:
    a presigned one is a credential for its object and expires; sign anew from the key."""
    at = time.time() if now is None else now
    with conn:
        ensure_upload_table(conn)
        conn.executemany(
            "INSERT INTO asset_uploads (store, sha256, key, size, path, first_at, last_at, "
            "bytes_sent) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (store, sha256) DO "
            "UPDATE SET last_at = excluded.last_at, path = excluded.path, "
            "bytes_sent = asset_uploads.bytes_sent + excluded.bytes_sent",
            [
                (store.store_id, u.sha256, u.key, u.size, u.path, at, at, u.bytes_sent)
                for u in uploads
            ],
        )


def recorded_uploads(
    conn: sqlite3.Connection, store: StoreConfig | AssetStore | None = None
) -> list[UploadRecord]:
    """The rows of ``asset_uploads`` (of ``store`` only, when given), oldest first."""
    ensure_upload_table(conn)
    sql = "SELECT store, sha256, key, size, path, first_at, last_at, bytes_sent FROM asset_uploads"
    args: tuple[str, ...] = ()
    if store is not None:
        sql += " WHERE store = ?"
        args = (store.store_id,)
    rows = conn.execute(sql + " ORDER BY first_at, sha256", args).fetchall()
    return [UploadRecord(*row) for row in rows]
