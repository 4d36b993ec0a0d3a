"""Result objects and their renderers: terminal (rich), Markdown (jinja2) and JSON."""
