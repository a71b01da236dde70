"""Archives as they are kept: gzip, bzip2, xz and Zstandard read as the plain file does, in
`flatten`, `info` and `dehydrate`, whatever the file is named; a cut-off one is one line."""

from __future__ import annotations

import bz2
import gzip
import importlib
import lzma
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from tables.fixtures import followers_page, lines_file, search_page

from twxdata.cli import main
from twxdata.errors import DataError
from twxdata.tables import compressed
from twxdata.tables.compressed import compression_of, open_input

zstandard = pytest.importorskip("zstandard", reason="the [scale] extra (zstandard) is absent")

COMPRESS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.compress,
    "bzip2": bz2.compress,
    "xz": lzma.compress,
    "zstd": lambda data: zstandard.ZstdCompressor().compress(data),
}
SUFFIX = {"gzip": ".gz", "bzip2": ".bz2", "xz": ".xz", "zstd": ".zstd"}


@pytest.fixture
def plain(tmp_path: Path) -> Path:
    return lines_file(tmp_path, [search_page(), followers_page()] * 3)


def table(path: Path) -> dict[str, list[object]]:
    data = pq.read_table(path)
    # the pages table names its input file: the one column that may differ
    return data.drop_columns([c for c in data.column_names if c == "__source.file"]).to_pydict()


@pytest.mark.parametrize("kind", list(COMPRESS))
def test_each_compression_flattens_to_the_plain_file_s_tables(
    plain: Path, tmp_path: Path, kind: str
) -> None:
    packed = tmp_path / f"in.jsonl{SUFFIX[kind]}"
    packed.write_bytes(COMPRESS[kind](plain.read_bytes()))
    misnamed = tmp_path / f"{kind}-really.jsonl"  # compressed, named as plain
    misnamed.write_bytes(packed.read_bytes())
    assert compression_of(packed) == compression_of(misnamed) == kind
    assert main(["flatten", str(plain), "-o", f"{tmp_path}/plain/"]) == 0
    for source in (packed, misnamed):
        out = f"{tmp_path}/{source.name}.out/"  # a trailing slash: one file per table
        assert main(["flatten", str(source), "-o", out]) == 0
        names = sorted(p.name for p in (tmp_path / "plain").iterdir())
        assert sorted(p.name for p in Path(out).iterdir()) == names
        for name in names:
            assert table(Path(out) / name) == table(tmp_path / "plain" / name), (source, name)


@pytest.mark.parametrize("kind", list(COMPRESS))
def test_info_and_dehydrate_read_compressed_archives(
    plain: Path, tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    packed = tmp_path / f"in.jsonl{SUFFIX[kind]}"
    packed.write_bytes(COMPRESS[kind](plain.read_bytes()))
    assert main(["info", str(packed)]) == 0
    assert "table: raw archive" in capsys.readouterr().out
    assert main(["dehydrate", str(packed), "-o", str(tmp_path / "ids.txt")]) == 0
    assert main(["dehydrate", str(plain), "-o", str(tmp_path / "plain-ids.txt")]) == 0
    ids = (tmp_path / "ids.txt").read_text().split()
    assert ids == (tmp_path / "plain-ids.txt").read_text().split() and "10" in ids


@pytest.mark.parametrize("kind", list(COMPRESS))
def test_a_cut_off_compressed_file_is_one_line_and_exit_1(
    plain: Path, tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    whole = COMPRESS[kind](plain.read_bytes() * 50)
    cut = tmp_path / f"cut.jsonl{SUFFIX[kind]}"
    cut.write_bytes(whole[: len(whole) // 2])
    assert main(["flatten", str(cut), "-o", str(tmp_path / "cut.parquet")]) == 1
    err = capsys.readouterr().err
    assert "damaged or truncated compressed data" in err and "Traceback" not in err
    assert not (tmp_path / "cut.parquet").exists()


def test_a_plain_file_named_as_compressed_reads_as_plain(plain: Path, tmp_path: Path) -> None:
    named = tmp_path / "plain.jsonl.gz"
    named.write_bytes(plain.read_bytes())
    assert compression_of(named) is None  # the bytes decide, not the name
    with open_input(named) as stream:
        assert stream.read() == plain.read_bytes()


def test_zstandard_without_its_package_says_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    packed = tmp_path / "a.jsonl.zst"
    packed.write_bytes(COMPRESS["zstd"](b'{"data": []}\n'))
    real = importlib.import_module

    def without_zstandard(name: str, *args: object) -> object:
        if name == "zstandard":
            raise ImportError(name)
        return real(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(compressed.importlib, "import_module", without_zstandard)
    with pytest.raises(DataError, match=r"pip install 'twxdata\[scale\]'"):
        open_input(packed)


def test_quoted_patterns_read_every_matching_archive_once(
    plain: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # archives/<year>/<day>.jsonl.<kind>, the way a long collection is kept: '**' finds them
    # all (checkpoints beside them are not inputs), and the posts repeated across files
    # (the same pages in each) are in the table once, as with the files named one by one.
    for n, kind in enumerate(COMPRESS):
        folder = tmp_path / "archives" / f"202{n}"
        folder.mkdir(parents=True)
        (folder / f"day.jsonl{SUFFIX[kind]}").write_bytes(COMPRESS[kind](plain.read_bytes()))
        (folder / f"day.jsonl{SUFFIX[kind]}.checkpoint.json").write_text("{}")
    pattern = f"{tmp_path}/archives/**/*.jsonl.*"
    assert main(["flatten", pattern, "-o", str(tmp_path / "all.parquet")]) == 0
    assert "4 inputs" in capsys.readouterr().err
    assert pq.read_table(tmp_path / "all.parquet")["id"].to_pylist() == ["10", "11"]
    assert main(["flatten", f"{tmp_path}/nothing/**/*.jsonl", "-o", "x.parquet"]) == 2
    assert "no file matches" in capsys.readouterr().err


def test_info_reads_an_archive_by_what_it_holds_not_its_name(
    plain: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, data in (("notes.txt", plain.read_bytes()), ("plain.gz", plain.read_bytes())):
        (tmp_path / name).write_bytes(data)
        assert main(["info", str(tmp_path / name)]) == 0
        assert "table: raw archive" in capsys.readouterr().out
