import sys

from carboncred_auditor.cli import main

sys.exit(main())
