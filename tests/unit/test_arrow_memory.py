"""Arrow's memory pool: jemalloc once the core is imported (an upload's preview 1.6-3× faster
than with pyarrow's default mimalloc at 1,000,000 rows, docs/benchmarks.md), unless the
operator chose one with ARROW_DEFAULT_MEMORY_POOL (docs/deploy.md)."""

import os
import subprocess
import sys

import pytest

CODE = (
    "import monitoring, pyarrow as pa\n"
    "import pyarrow.csv as pacsv\n"
    "table = pacsv.read_csv(pa.py_buffer(b'a,b\\n1,x\\n2,y\\n'))\n"
    "print(pa.default_memory_pool().backend_name, table.num_rows)\n"
)


def pool_after_import(chosen: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if chosen is not None:
        env["ARROW_DEFAULT_MEMORY_POOL"] = chosen
    out = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, check=True, env=env
    )
    return out.stdout.strip()


def test_the_core_reads_files_with_jemalloc():
    assert pool_after_import(None) == "jemalloc 2"


@pytest.mark.parametrize("chosen", ["system", "mimalloc"])
def test_a_pool_the_operator_chose_is_kept(chosen):
    assert pool_after_import(chosen) == f"{chosen} 2"
