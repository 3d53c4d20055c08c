"""VAT returns: the nine boxes by HMRC's rules for each scheme, and submitting them through
Making Tax Digital."""
