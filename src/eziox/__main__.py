from eziox.cli import main

main()
