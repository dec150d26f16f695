"""Runs a notebook headless, top to bottom, and fails (exit 1) on the first cell that raises.

Usage: python notebooks/execute.py notebooks/walkforward.ipynb
The notebook runs in its own folder, so its relative paths mean what they say in Jupyter.
"""

import sys
from pathlib import Path

import nbclient
import nbformat


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    path = Path(sys.argv[1])
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as error:
        print(f"{path}: a cell failed:\n{error}", file=sys.stderr)
        return 1
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("name") == "stdout":
                print(output["text"], end="")
    print(f"{path}: every cell ran")
    return 0


if __name__ == "__main__":
    sys.exit(main())
