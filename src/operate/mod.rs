//! Operating applications that are already on the cluster: naming them ([`selector`]),
//! finding their pods ([`find`]), summarising their state ([`summary`]), tracking their executors
//! ([`executors`]), waiting for their pods
//! ([`waiting`]), deleting them ([`delete`]), and the durations typed and shown along the way ([`duration`]).

pub mod delete;
pub mod duration;
pub mod executors;
pub mod find;
pub mod selector;
pub mod summary;
pub mod uploads;
pub mod waiting;

/// How many applications are deleted, inspected or listed at once (requests in flight; each
/// one is a connection of its own, as the client speaks HTTP/1.1).
pub const CONCURRENCY: usize = 16;

/// A borderless table in kubectl's style: a header row, columns separated by three spaces,
/// no trailing spaces.
pub fn plain_table<I, R>(header: &[&str], rows: I) -> String
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = String>,
{
    let mut table = comfy_table::Table::new();
    table
        .load_style(comfy_table::presets::NOTHING)
        .set_content_arrangement(comfy_table::ContentArrangement::Disabled)
        .force_no_tty()
        .set_header(header.to_vec());
    for row in rows {
        table.add_row(row.into_iter().collect::<Vec<_>>());
    }
    for column in table.column_iter_mut() {
        column.set_padding((0, 3));
    }
    let mut text = table.trim_fmt();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn plain_tables_align_columns() {
        let text = super::plain_table(
            &["NAME", "STATE"],
            [
                vec!["a".to_string(), "running".to_string()],
                vec!["long-name".to_string(), "failed".to_string()],
            ],
        );
        assert_eq!(
            text,
            "NAME        STATE\na           running\nlong-name   failed\n"
        );
    }
}
