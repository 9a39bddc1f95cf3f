"""`alagen serve`: build the site into a temporary folder, serve it on localhost, rebuild on
every saved change and reload the open tabs; show build problems in the terminal and over
the page. Modules: session (start to stop), builder (the one call to the pipeline), server
and files (HTTP), live (reload channel and overlay), search (Pagefind in the background)."""

from alagen.serve.session import CannotServe, ServeOptions, run

__all__ = ["CannotServe", "ServeOptions", "run"]
