"""Display tables, MyST snippets and figures."""
