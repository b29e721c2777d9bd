"""Pure statistics: frames in, frames out; no paths, no prose, no formatting."""
