"""``cap-notifications {api|worker|relay|migrate}``."""

from cap_notifications.main import ENTRY
from cap_shared.cli import main as run


def main() -> None:
    """Console entry point."""
    run(ENTRY)


if __name__ == "__main__":
    main()
