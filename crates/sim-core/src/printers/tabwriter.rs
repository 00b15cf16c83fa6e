//! kubectl's column alignment: `github.com/liggitt/tabwriter` as cli-runtime
//! configures it (minwidth 6, tabwidth 4, padding 3, padchar ' ').
//!
//! Every column but the last is padded to `max(6, widest cell + 3)`, widths counted
//! in characters over all rows of one table, header included. The last cell of a
//! line is not padded, unless it is followed by an empty trailing cell.

const MIN_WIDTH: usize = 6;
const PADDING: usize = 3;

/// Aligns rows of cells into lines, each ending in `\n`.
pub fn write_table(rows: &[Vec<String>], out: &mut String) {
    write_table_remembering(rows, &mut Vec::new(), out);
}

/// [`write_table`] with cli-runtime's `RememberWidths`: `widths` holds the widest
/// cell seen so far per column and only grows, so that rows printed later (the
/// events of `kubectl get -w`) line up under the first table.
pub fn write_table_remembering(rows: &[Vec<String>], widths: &mut Vec<usize>, out: &mut String) {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    if widths.len() < columns {
        widths.resize(columns, 0);
    }
    for row in rows {
        // A cell is a column only when something follows it on its line; the final
        // cell of a row is text, not a column, and does not widen the column.
        for (i, cell) in row.iter().enumerate().take(row.len().saturating_sub(1)) {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    for row in rows {
        let last = row.len().saturating_sub(1);
        for (i, cell) in row.iter().enumerate() {
            out.push_str(cell);
            if i < last {
                let width = widths.get(i).copied().unwrap_or(0);
                let target = (width + PADDING).max(MIN_WIDTH);
                let len = cell.chars().count();
                out.extend(std::iter::repeat_n(' ', target.saturating_sub(len)));
            }
        }
        out.push('\n');
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
    fn empty_trailing_cell_pads_the_one_before() {
        let mut out = String::new();
        write_table(&cells(&[&["NAME", "AGE", "APP"], &["a", "5m", ""]]), &mut out);
        assert_eq!(out, "NAME   AGE   APP\na      5m    \n");
    }
}
