//! Go's `text/tabwriter` as `kubectl describe` configures it (`tabbedString`:
//! minwidth 0, tabwidth 8, padding 2, padchar ' ', no flags).
//!
//! Cells are tab-terminated; the text after a line's last tab is not a cell and is
//! never padded. A column is aligned only over a *block* of consecutive lines
//! that all have a cell in it, so a line with fewer tabs (such as `Events:`) ends
//! the alignment above it. This is the behaviour that makes describe's label
//! column width depend on the labels present in each block.

/// Aligns `text` as Go's tabwriter would with the given minimum width and padding.
pub fn align(text: &str, min_width: usize, padding: usize) -> String {
    let ends_with_newline = text.ends_with('\n');
    let body = if ends_with_newline { &text[..text.len() - 1] } else { text };
    let lines: Vec<Vec<&str>> = if text.is_empty() { Vec::new() } else { body.split('\n').map(|l| l.split('\t').collect()).collect() };
    let mut out = String::new();
    let mut widths: Vec<usize> = Vec::new();
    format(&lines, 0, lines.len(), &mut widths, min_width, padding, &mut out);
    // Every line but the last was newline-terminated; the last one only if the text was.
    if !ends_with_newline && out.ends_with('\n') {
        out.pop();
    }
    out
}

/// kubectl describe's settings.
pub fn describe(text: &str) -> String {
    align(text, 0, 2)
}

fn width(cell: &str) -> usize {
    cell.chars().count()
}

fn format(
    lines: &[Vec<&str>],
    mut line0: usize,
    line1: usize,
    widths: &mut Vec<usize>,
    min_width: usize,
    padding: usize,
    out: &mut String,
) {
    let column = widths.len();
    let mut this = line0;
    while this < line1 {
        let cells = lines[this].len();
        if column + 1 >= cells {
            this += 1;
            continue;
        }
        // A block of lines with a cell in this column starts here.
        write_lines(lines, line0, this, widths, out);
        line0 = this;
        let mut w = min_width;
        while this < line1 {
            let line = &lines[this];
            if column + 1 >= line.len() {
                break;
            }
            w = w.max(width(line[column]) + padding);
            this += 1;
        }
        widths.push(w);
        format(lines, line0, this, widths, min_width, padding, out);
        widths.pop();
        line0 = this;
    }
    write_lines(lines, line0, line1, widths, out);
}

fn write_lines(lines: &[Vec<&str>], from: usize, to: usize, widths: &[usize], out: &mut String) {
    for line in &lines[from..to] {
        for (j, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if let Some(&w) = widths.get(j) {
                if j + 1 < line.len() {
                    out.extend(std::iter::repeat_n(' ', w.saturating_sub(width(cell))));
                }
            }
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_per_block() {
        let text = "Name:\tweb\nPort:\t<unset>\t80/TCP\nTargetPort:\t80/TCP\nEndpoints:\t\nEvents:\n  Type\tReason\n  ----\t------\n";
        let want = "Name:        web\nPort:        <unset>  80/TCP\nTargetPort:  80/TCP\nEndpoints:   \nEvents:\n  Type  Reason\n  ----  ------\n";
        assert_eq!(describe(text), want);
    }
}
