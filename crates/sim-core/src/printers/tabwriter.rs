//! kubectl's column alignment: `github.com/liggitt/tabwriter` as cli-runtime
//! configures it (minwidth 6, tabwidth 4, padding 3, padchar ' ').
//!
//! Every column but the last is padded to `max(6, widest cell + 3)`, widths counted
//! in characters over all rows of one table, header included. The last cell of a
//! line is not padded, unless it is followed by an empty trailing cell.

const MIN_WIDTH: usize = 6;
const PADDING: usize = 3;

/// Rows of cells kept in one text buffer: each cell is a range of `text`, so a
/// table of 10,000 rows costs three growing buffers instead of a `String` per cell
/// and a `Vec` per row. Cells are written with [`Cells::push`] or through
/// `fmt::Write` followed by [`Cells::end_cell`]; [`Cells::end_row`] closes a row.
#[derive(Clone, Debug, Default)]
pub struct Cells {
    text: String,
    /// Where each cell ends in `text` (it starts where the one before ended).
    cell_ends: Vec<usize>,
    /// How many cells there are once each row is closed.
    row_ends: Vec<usize>,
}

impl Cells {
    pub fn new() -> Cells {
        Cells::default()
    }

    /// Room for `rows` rows of about `bytes_per_row` bytes and `cells_per_row` cells.
    pub fn with_capacity(rows: usize, cells_per_row: usize, bytes_per_row: usize) -> Cells {
        Cells {
            text: String::with_capacity(rows.saturating_mul(bytes_per_row)),
            cell_ends: Vec::with_capacity(rows.saturating_mul(cells_per_row)),
            row_ends: Vec::with_capacity(rows),
        }
    }

    /// Adds a whole cell.
    pub fn push(&mut self, cell: &str) {
        self.text.push_str(cell);
        self.end_cell();
    }

    /// Ends the cell written so far through `fmt::Write` (or [`Cells::push_str`]).
    pub fn end_cell(&mut self) {
        self.cell_ends.push(self.text.len());
    }

    /// Appends to the open cell.
    pub fn push_str(&mut self, text: &str) {
        self.text.push_str(text);
    }

    /// Ends the open cell the way cli-runtime's printTable clips a string cell: at
    /// its first line break (`\n`, `\r` or form feed), followed by `...`.
    pub fn end_cell_clipped(&mut self) {
        let start = self.cell_ends.last().copied().unwrap_or(0);
        let cut = self.text.get(start..).and_then(|cell| cell.find(['\n', '\r', '\u{c}']));
        if let Some(i) = cut {
            self.text.truncate(start + i);
            self.text.push_str("...");
        }
        self.end_cell();
    }

    pub fn end_row(&mut self) {
        self.row_ends.push(self.cell_ends.len());
    }

    /// The number of closed rows.
    pub fn rows(&self) -> usize {
        self.row_ends.len()
    }

    /// The cells of row `index` (empty past the end).
    pub fn row(&self, index: usize) -> impl ExactSizeIterator<Item = &str> + '_ {
        let first = match index.checked_sub(1) {
            Some(before) => self.row_ends.get(before).copied().unwrap_or(usize::MAX),
            None => 0,
        };
        let end = self.row_ends.get(index).copied().unwrap_or(0);
        (first..end.max(first)).map(move |cell| self.cell(cell))
    }

    fn cell(&self, index: usize) -> &str {
        let start = match index.checked_sub(1) {
            Some(before) => self.cell_ends.get(before).copied().unwrap_or(0),
            None => 0,
        };
        let end = self.cell_ends.get(index).copied().unwrap_or(start);
        self.text.get(start..end).unwrap_or("")
    }

    /// Every cell of every row, as owned strings (for callers that keep rows).
    pub fn to_rows(&self) -> Vec<Vec<String>> {
        (0..self.rows()).map(|r| self.row(r).map(str::to_string).collect()).collect()
    }

    /// Drops every row, keeping the buffers' room.
    pub fn clear(&mut self) {
        self.text.clear();
        self.cell_ends.clear();
        self.row_ends.clear();
    }
}

impl std::fmt::Write for Cells {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.text.push_str(s);
        Ok(())
    }
}

/// Aligns rows of cells into lines, each ending in `\n`.
pub fn write_table(rows: &[Vec<String>], out: &mut String) {
    write_table_remembering(rows, &mut Vec::new(), out);
}

/// [`write_table`] with cli-runtime's `RememberWidths`: `widths` holds the widest
/// cell seen so far per column and only grows, so that rows printed later (the
/// events of `kubectl get -w`) line up under the first table.
pub fn write_table_remembering(rows: &[Vec<String>], widths: &mut Vec<usize>, out: &mut String) {
    let mut cells = Cells::new();
    for row in rows {
        for cell in row {
            cells.push(cell);
        }
        cells.end_row();
    }
    write_cells_remembering(&cells, 0, widths, out);
}

/// [`write_table`] over [`Cells`], from row `first` on (1 skips a header).
pub fn write_cells(cells: &Cells, first: usize, out: &mut String) {
    write_cells_remembering(cells, first, &mut Vec::new(), out);
}

/// [`write_table_remembering`] over [`Cells`], from row `first` on.
pub fn write_cells_remembering(cells: &Cells, first: usize, widths: &mut Vec<usize>, out: &mut String) {
    // The cells are walked in order (row by row, each cell's end after the one
    // before), twice: once for the widths, once to write; each cell's width is
    // counted once and kept for the second walk.
    let first_cell = match first.checked_sub(1) {
        Some(before) => cells.row_ends.get(before).copied().unwrap_or(usize::MAX),
        None => 0,
    };
    let row_ends = cells.row_ends.get(first..).unwrap_or(&[]);
    let mut cell_widths: Vec<usize> = Vec::with_capacity(cells.cell_ends.len().saturating_sub(first_cell));
    let mut row_start = first_cell;
    let mut text_start = first_cell.checked_sub(1).and_then(|i| cells.cell_ends.get(i)).copied().unwrap_or(0);
    for &row_end in row_ends {
        let count = row_end.saturating_sub(row_start);
        if widths.len() < count {
            widths.resize(count, 0);
        }
        for (column, &end) in cells.cell_ends.get(row_start..row_end).unwrap_or(&[]).iter().enumerate() {
            let cell_width = width(cells.text.get(text_start..end).unwrap_or(""));
            cell_widths.push(cell_width);
            // A cell is a column only when something follows it on its line; the final
            // cell of a row is text, not a column, and does not widen the column.
            if column + 1 < count {
                if let Some(w) = widths.get_mut(column) {
                    *w = (*w).max(cell_width);
                }
            }
            text_start = end;
        }
        row_start = row_end.max(row_start);
    }
    // Every line is its cells plus padding up to the widest line: one reservation.
    let line_width: usize = widths.iter().map(|w| (w + PADDING).max(MIN_WIDTH)).sum();
    out.reserve(cells.text.len().saturating_add(row_ends.len().saturating_mul(line_width + 1)));
    let mut row_start = first_cell;
    let mut text_start = first_cell.checked_sub(1).and_then(|i| cells.cell_ends.get(i)).copied().unwrap_or(0);
    let mut cell_widths = cell_widths.into_iter();
    for &row_end in row_ends {
        let count = row_end.saturating_sub(row_start);
        for (column, &end) in cells.cell_ends.get(row_start..row_end).unwrap_or(&[]).iter().enumerate() {
            out.push_str(cells.text.get(text_start..end).unwrap_or(""));
            let cell_width = cell_widths.next().unwrap_or(0);
            if column + 1 < count {
                let target = (widths.get(column).copied().unwrap_or(0) + PADDING).max(MIN_WIDTH);
                pad(out, target.saturating_sub(cell_width));
            }
            text_start = end;
        }
        row_start = row_end.max(row_start);
        out.push('\n');
    }
}

/// A cell's width in characters, as the tabwriter counts it (runes).
fn width(cell: &str) -> usize {
    if cell.is_ascii() {
        cell.len()
    } else {
        cell.chars().count()
    }
}

fn pad(out: &mut String, mut count: usize) {
    const SPACES: &str = "                                                                ";
    while count > 0 {
        let n = count.min(SPACES.len());
        out.push_str(SPACES.get(..n).unwrap_or(""));
        count -= n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
    }

    #[test]
    fn pads_all_but_last_column() {
        let mut out = String::new();
        write_table(&cells(&[&["NAME", "AGE"], &["kubernetes", "10d"]]), &mut out);
        assert_eq!(out, "NAME         AGE\nkubernetes   10d\n");
    }

    #[test]
    fn remembered_widths_only_grow() {
        let mut widths = Vec::new();
        let mut out = String::new();
        write_table_remembering(&cells(&[&["NAME", "AGE"], &["a-long-name", "1s"]]), &mut widths, &mut out);
        out.clear();
        write_table_remembering(&cells(&[&["b", "2s"]]), &mut widths, &mut out);
        assert_eq!(out, "b             2s\n");
    }

    #[test]
    fn minimum_width_is_six() {
        let mut out = String::new();
        write_table(&cells(&[&["A", "B"]]), &mut out);
        assert_eq!(out, "A     B\n");
    }

    #[test]
    fn cells_clip_at_a_line_break_and_skip_a_header() {
        use std::fmt::Write;
        let mut table = Cells::new();
        table.push("NAME");
        table.push("NOTE");
        table.end_row();
        let _ = write!(table, "pod-{}", 1);
        table.end_cell();
        table.push_str("first line\nsecond");
        table.end_cell_clipped();
        table.end_row();
        table.push("a-much-longer-name");
        table.push("ok");
        table.end_row();
        assert_eq!(table.to_rows()[1], ["pod-1", "first line..."]);
        let mut out = String::new();
        write_cells(&table, 1, &mut out);
        assert_eq!(out, "pod-1                first line...\na-much-longer-name   ok\n");
        assert_eq!(table.row(7).count(), 0, "no row past the end");
    }

    #[test]
    fn widths_count_characters_not_bytes() {
        let mut out = String::new();
        // Six bytes but three characters: padded to the minimum width of six.
        write_table(&cells(&[&["ÄÖÜ", "x"], &["abc", "y"]]), &mut out);
        assert_eq!(out, "ÄÖÜ   x\nabc   y\n");
    }

    #[test]
    fn empty_trailing_cell_pads_the_one_before() {
        let mut out = String::new();
        write_table(&cells(&[&["NAME", "AGE", "APP"], &["a", "5m", ""]]), &mut out);
        assert_eq!(out, "NAME   AGE   APP\na      5m    \n");
    }
}
