"""Invoices and credit notes: build, issue (write-once), pay, credit, the client account and
late-payment claims."""
