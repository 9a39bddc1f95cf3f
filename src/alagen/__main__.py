from alagen.cli import run

run()
