"""E-invoices: EN 16931 as CII (Factur-X) and UBL (Peppol BIS Billing 3.0)."""
