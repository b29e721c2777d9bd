"""Every sentence and number wording the chapters glue."""
