"""Values and rules with no file I/O: money, records, periods, durations, tax treatments,
exchange rates and working days. Everything above builds on these; nothing here imports
from the layers above."""
