from conctui.cli import main

raise SystemExit(main())
