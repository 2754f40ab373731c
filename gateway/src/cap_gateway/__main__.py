"""``cap-gateway {api|relay|migrate}`` (the worker role has nothing to consume yet)."""

from cap_gateway.main import ENTRY
from cap_shared.cli import main as run


def main() -> None:
    """Console entry point."""
    run(ENTRY)


if __name__ == "__main__":
    main()
