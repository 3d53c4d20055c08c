"""PDF documents: the only package that imports ReportLab (commands import it lazily).

Public API for every document (invoices, proposals, the earnings report); stable once
committed — add, do not change:

* `theme.load_theme(books_root, name, language=None) -> Theme` (re-exported from
  consult.themes.theme, where themes are data) — packaged `consult/themes/default.yaml` and the
  language's words (`de.yaml`, `fr.yaml`) overridden by `<books>/templates/<name>.yaml`;
  `Theme.label(key, **values)` for words, `Theme.language`, `Theme.locale` (of dates),
  `Theme.colours`, `Theme.font_size`, `Theme.page_size`/`margins` (points). Bad theme →
  ConsultError naming file, line and field. `theme.load_frozen(root, text, shown)` — the theme
  an issued record froze.
* `fonts.fonts_for(theme) -> FontSet` (registered embedded TTF names: `.regular`, `.bold`,
  `.fallback`); `fonts.draw_string(canvas, x, y, text, font, size, fonts, align)` for canvas
  text with per-character fallback.
* `text.para(text, style, fonts, bold_prefix=None)` — the ONLY way user text becomes a
  paragraph: escaped, fallback-font runs, newlines as line breaks. `text.cell(text, style,
  fonts, width=None)` — a table cell: a plain string when the font covers it and it fits
  `width` (fast; keeps U+202F in amounts), else a wrapping paragraph. `text.block(lines,
  style, fonts)` — several lines of (user text, style) pieces as ONE paragraph (an address
  block with a muted heading and bold labels), much faster than a paragraph per line.
* `document.styles_for(theme, fonts) -> Styles` (body, bold, small, muted, heading, title,
  cell, cell_right, cell_bold); `document.frame_width(theme)`; `document.logo(theme)`;
  `document.table(rows, col_widths, theme, fonts, right=(cols), closing_rows=n, size=None)` —
  header repeated on each page, last n rows (totals) kept with the last body row, text at
  `size` (the theme's by default);
  `document.layout(rows, col_widths, fonts, h_align=, padding=, row_gap=, column_styles=)` —
  an invisible table to put blocks side by side (always sets an embedded font, so an empty
  cell never pulls in Helvetica); `document.colour("#RRGGBB")`;
  `document.build_pdf(story, theme, title=, author=, subject=, running_head=, watermark=,
  invariant=, footer_values=, fonts=) -> bytes` — page x of y, footer, draft watermark,
  metadata.
* `invoice.invoice_pdf(inv, books_root, *, draft=False, invariant=False, theme=None) -> bytes` —
  drawn with the theme the record froze (else its template in its language);
  `invoice.theme_of(inv, books_root)`.
* `document.text_width(text, font, size, fonts)`, `document.widest_word(...)`: measure before
  sizing a column; `document.wrap_text(...)`; `words.money/long_date/short_date/date_locale/
  country_line` — formatting every document shares.

No arithmetic on money happens here: documents print the figures their records hold.
"""
