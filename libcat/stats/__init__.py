"""Report tables (EK records, editing, digitization, fund, collections, contracts) and their rendering."""
