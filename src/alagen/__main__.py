from alagen.cli import main

raise SystemExit(main())
