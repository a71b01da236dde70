"""Issue 17 on a real Dask cluster and a real S3 protocol, offline.

``LocalCluster(n_workers=2, processes=True)``: the dataset equals the single-machine flatten;
a worker killed in the middle of a task (``os._exit``) is replaced, the task runs again, and
the dataset is still equal, with no duplicate or half-written file. Inputs and output in S3
(moto's threaded server, through s3fs): the same dataset, and the keys never written down.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pyarrow.parquet as pq
import pytest

import twxdata.scale as scale
from twxdata.tables import read_jsonl
from twxdata.tables.schema import SCHEMAS

from .conftest import assert_same, canonical

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with distributed.Client(cluster) as dask_client:
        yield dask_client
    cluster.close()


def test_a_local_cluster_equals_the_single_machine_flatten(client, single, inputs, tmp_path):
    result = scale.flatten(inputs, str(tmp_path / "ds"), client=client)
    assert_same(single, tmp_path / "ds")
    assert result.rows["tweets"] == single.tweets.num_rows
    frame = scale.read_dataset(str(tmp_path / "ds"), "users").compute()
    assert sorted(frame["id"]) == sorted(single.users.column("id").to_pylist())


def _die_once(marker: str) -> None:
    """Planted on each worker: the first flatten task anywhere kills its process."""
    import twxdata.scale.task as task

    original = task.flatten_chunks

    def dying(*args, **kwargs):
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return original(*args, **kwargs)
        os.close(fd)
        os._exit(1)

    task.flatten_chunks = dying


def test_a_worker_killed_mid_task_is_retried_and_the_result_is_still_equal(
    client, single, inputs, tmp_path
):
    marker = tmp_path / "died"
    client.run(_die_once, str(marker))
    result = scale.flatten(inputs, str(tmp_path / "ds"), client=client)
    assert marker.exists()  # a worker did die
    assert result.rows["tweets"] == single.tweets.num_rows
    assert_same(single, tmp_path / "ds")
    leftovers = [p for p in (tmp_path / "ds").rglob("*") if p.name.startswith(".")]
    assert leftovers == [] and not (tmp_path / "ds" / "_twxdata_staging").exists()
    client.restart()  # the other worker still carries the planted function


def test_an_all_null_partition_keeps_its_types(client, tmp_path):
    bare = tmp_path / "bare.jsonl"
    bare.write_text(
        '{"data": [{"id": "5", "text": "x", "created_at": "2024-02-01T00:00:00.000Z"}]}\n'
    )
    scale.flatten([str(bare)], str(tmp_path / "ds"), client=client)
    [file] = (tmp_path / "ds" / "tweets").rglob("*.parquet")
    assert file.parent.name == "day=2024-02-01"
    assert pq.read_schema(file).remove_metadata() == SCHEMAS["tweets"].remove_metadata()
    frame = scale.read_dataset(str(tmp_path / "ds")).compute()
    assert str(frame["geo.place_id"].dtype) == "string[pyarrow]"
    assert str(frame["public_metrics.like_count"].dtype) == "int64[pyarrow]"
    assert frame["geo.place_id"].isna().all()


# ---- object storage (moto's S3, through s3fs) -----------------------------------------------


@pytest.fixture(scope="module")
def s3():
    pytest.importorskip("s3fs")
    server_module = pytest.importorskip("moto.server")
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    options = {"key": "AKIDEXAMPLE", "secret": "s3cr3t-never-written",
               "endpoint_url": f"http://{host}:{port}"}  # fmt: skip
    import s3fs

    fs = s3fs.S3FileSystem(**options)
    fs.mkdir("archives")
    yield fs, options
    server.stop()


def test_inputs_and_dataset_in_s3_equal_the_local_flatten(s3, client, single, inputs):
    fs, options = s3
    for path in inputs:
        fs.put(path, f"archives/2024/{Path(path).name}")
    result = scale.flatten(
        ["s3://archives/**/*.jsonl*"], "s3://archives/dataset", client=client,
        storage_options=options, out_options=options,
    )  # fmt: skip
    assert len(result.inputs) == len(inputs)
    fs.invalidate_cache()  # its listings predate the workers' writes
    for name in ("tweets", "users", "edges_mentions", "pages"):
        files = fs.glob(f"archives/dataset/{name}/**/*.parquet")
        got = scale.read_dataset("s3://archives/dataset", name, storage_options=options)
        frame = got.compute()
        assert len(frame) == single[name].num_rows, name
        assert files
    tweets = scale.read_dataset("s3://archives/dataset", storage_options=options).compute()
    import pyarrow as pa

    assert canonical(pa.Table.from_pandas(tweets, preserve_index=False)) == canonical(single.tweets)
    again = scale.flatten(["s3://archives/**/*.jsonl*"], "s3://archives/dataset", client=client,
                          storage_options=options, out_options=options)  # fmt: skip
    assert again.files == [] and len(again.skipped) == len(inputs)
    for name in fs.find("archives/dataset"):  # the keys are handed to s3fs, never written
        assert b"s3cr3t-never-written" not in fs.cat_file(name), name


def test_the_command_reads_s3_with_storage_options(s3, tmp_path, inputs):
    fs, options = s3
    fs.put(inputs[3], "archives/cli/d-users.jsonl")
    out = tmp_path / "tables"
    pairs = [
        f"--storage-option={name}={options[name]}" for name in ("key", "secret", "endpoint_url")
    ]
    result = subprocess.run(
        [sys.executable, "-m", "twxdata", "flatten", "s3://archives/cli/*.jsonl", "-o", f"{out}/",
         *pairs], capture_output=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert b"s3cr3t" not in result.stderr
    expected = read_jsonl(inputs[3])
    assert pq.read_table(out / "users.parquet").num_rows == expected.users.num_rows
    for path in out.iterdir():
        assert b"s3cr3t" not in path.read_bytes()


def test_info_reads_an_archive_in_s3_with_the_users_fsspec_setup(s3, inputs):
    fs, options = s3
    fs.put(inputs[0], "archives/info/a.jsonl")
    env = dict(os.environ, FSSPEC_S3_KEY=options["key"], FSSPEC_S3_SECRET=options["secret"],
               FSSPEC_S3_ENDPOINT_URL=options["endpoint_url"])  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "twxdata", "info", "s3://archives/info/a.jsonl", "--json"],
        capture_output=True, env=env, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    record = orjson.loads(result.stdout)
    assert record["file"] == "s3://archives/info/a.jsonl"
    assert record["archive"]["items"] == read_jsonl(inputs[0]).tweets.num_rows


def _fsspec_env(options: dict, **more: str) -> dict[str, str]:
    return dict(os.environ, FSSPEC_S3_KEY=options["key"], FSSPEC_S3_SECRET=options["secret"],
                FSSPEC_S3_ENDPOINT_URL=options["endpoint_url"], **more)  # fmt: skip


def test_dehydrate_and_hydrate_read_their_inputs_from_s3(s3, inputs, tmp_path):
    from twxdata.testing import FakeXApi

    fs, options = s3
    fs.put(inputs[0], "archives/share/a.jsonl")
    ids = tmp_path / "ids.txt"
    made = subprocess.run(
        [sys.executable, "-m", "twxdata", "dehydrate", "s3://archives/share/a.jsonl", "-o", ids],
        capture_output=True, env=_fsspec_env(options), timeout=120,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    manifest = orjson.loads(ids.with_name("ids.txt.manifest.json").read_bytes())
    assert manifest["source"]["path"] == "s3://archives/share/a.jsonl"
    assert manifest["count"] == len(set(read_jsonl(inputs[0]).tweets.column("id").to_pylist()))
    with FakeXApi(seed=3, size=500) as api:
        wanted = [api.corpus.tweet(n)["id"] for n in range(5)]
        fs.pipe("archives/share/wanted.txt", "\n".join(wanted).encode() + b"\n")
        env = _fsspec_env(options, TWXDATA_BEARER_TOKEN=api.bearer_token,
                          TWXDATA_API_BASE=api.url)  # fmt: skip
        out = tmp_path / "back.parquet"
        done = subprocess.run(
            [sys.executable, "-m", "twxdata", "hydrate", "s3://archives/share/wanted.txt",
             "-o", out, "-q"], capture_output=True, env=env, timeout=120,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert sorted(pq.read_table(out).column("id").to_pylist()) == sorted(wanted)


def test_info_dehydrate_and_hydrate_take_storage_options(s3, inputs, tmp_path):
    """``--storage-option`` reaches the store as it does for flatten: no fsspec setup needed,
    and the secret is never shown or written."""
    from twxdata.testing import FakeXApi

    fs, options = s3
    fs.put(inputs[0], "archives/opts/a.jsonl")
    pairs = [f"--storage-option={k}={options[k]}" for k in ("key", "secret", "endpoint_url")]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FSSPEC_", "AWS_"))}

    def twxdata(*argv: object, **more: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([sys.executable, "-m", "twxdata", *map(str, argv), *pairs],
                              capture_output=True, env={**env, **more}, timeout=120)  # fmt: skip

    info = twxdata("info", "s3://archives/opts/a.jsonl", "--json")
    assert info.returncode == 0, info.stderr
    expected = read_jsonl(inputs[0]).tweets
    assert orjson.loads(info.stdout)["archive"]["items"] == expected.num_rows
    ids = tmp_path / "ids.txt"
    made = twxdata("dehydrate", "s3://archives/opts/a.jsonl", "-o", ids)
    assert made.returncode == 0, made.stderr
    assert len(ids.read_text().split()) == len(set(expected.column("id").to_pylist()))
    with FakeXApi(seed=3, size=500) as api:
        wanted = [api.corpus.tweet(n)["id"] for n in range(3)]
        fs.pipe("archives/opts/wanted.txt", "\n".join(wanted).encode() + b"\n")
        out = tmp_path / "back.parquet"
        done = twxdata("hydrate", "s3://archives/opts/wanted.txt", "-o", out, "-q",
                       TWXDATA_BEARER_TOKEN=api.bearer_token, TWXDATA_API_BASE=api.url)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert sorted(pq.read_table(out).column("id").to_pylist()) == sorted(wanted)
    for result in (info, made, done):
        assert b"s3cr3t" not in result.stdout + result.stderr
    for path in tmp_path.rglob("*"):
        assert path.is_dir() or b"s3cr3t" not in path.read_bytes(), path
