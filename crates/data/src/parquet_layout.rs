//! The footer and page headers of a Parquet file, checked before polars decodes them.
//!
//! polars sizes its buffers from what a page header claims: a data page that claims 2^61
//! values makes it reserve a validity bitmap of that size, and the failed allocation aborts
//! the process, which no `catch_unwind` can turn into an error (found by fuzzing; see
//! `fuzz/README.md`). So before a column is decoded, every page header of every chunk of it is
//! read here (headers only: the page bodies are skipped, not read) and held to what the footer
//! and the file's size allow:
//!
//! - the footer itself is decoded first by an allocation-guarded decoder ([`check_footer`]):
//!   polars' reserves room for as many elements as a list claims;
//! - the file's row count is its row groups' and no more than [`ROWS_PER_BYTE`] a byte;
//! - a column holds one value per row: no repeated (list) columns, and each chunk holds as many
//!   values as its row group has rows;
//! - every page lies inside its chunk, and the pages' values add up to the chunk's;
//! - no page claims more values (or rows, or nulls) than its chunk has left, a dictionary no
//!   more entries than its row group has rows, and no page an uncompressed size larger than
//!   its values can fill ([`uncompressed_limit`]).
//!
//! A file that passes can still be damaged inside its pages; those faults polars reports as
//! errors (or panics, which [`crate::decoder::contain`] catches). What passes here no longer
//! makes polars ask for memory the file could not describe.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use polars::io::parquet::metadata::FileMetadata;
use polars_parquet::parquet::schema::types::PhysicalType;
use polars_parquet_format::thrift::Error as ThriftError;
use polars_parquet_format::thrift::protocol::TCompactInputProtocol;
use polars_parquet_format::{FileMetaData, PageHeader, PageType};

use crate::DataError;

/// The most rows a Parquet file may claim per byte of its size. Real bars take several bytes
/// a row even compressed (a timestamp and five prices that move); a file claiming more than
/// this is a decompression bomb, not bars.
pub(crate) const ROWS_PER_BYTE: u64 = 64;

/// A page header's own size is capped so that a damaged one cannot make thrift allocate
/// without bound (statistics inside a header are the only large part).
const MAX_HEADER_BYTES: usize = 1 << 20;

/// Budget of polars-parquet-format's allocation-guarded thrift decoder, per byte of footer. It
/// charges 8 bytes per list element and 2 per struct, and every element a real footer lists
/// takes at least one byte of it, so a real footer spends at most 10 per byte; a list that
/// claims more elements than this allows has lied about its length.
const FOOTER_BUDGET_PER_BYTE: usize = 16;

/// Decodes the footer of the Parquet file `file` (of `length` bytes) with an allocation-guarded
/// thrift decoder, so that a footer whose lists claim more elements than its bytes could hold
/// is refused before polars' own decoder, which reserves room for every element a list
/// claims, reads it (a 3 KB file asked it for 109 GB; found by fuzzing).
pub(crate) fn check_footer(path: &Path, file: &mut File, length: u64) -> Result<(), DataError> {
    let footer = read_footer(file, length).map_err(|what| damaged(path, what))?;
    let budget = footer
        .len()
        .saturating_mul(FOOTER_BUDGET_PER_BYTE)
        .saturating_add(64 << 10);
    let mut protocol = TCompactInputProtocol::new(footer.as_slice(), budget);
    FileMetaData::read_from_in_protocol(&mut protocol)
        .map_err(|e| damaged(path, format!("unreadable footer ({})", thrift_message(e))))?;
    Ok(())
}

/// The words of a thrift error (its `Display` shows only the kind, such as "bad data").
fn thrift_message(error: ThriftError) -> String {
    match error {
        ThriftError::Transport(e) => e.message,
        ThriftError::Protocol(e) => e.message,
        ThriftError::Application(e) => e.message,
    }
}

/// The footer's bytes: a Parquet file ends with the footer, its length (4 bytes, little
/// endian) and the magic `PAR1`.
fn read_footer(file: &mut File, length: u64) -> Result<Vec<u8>, String> {
    let io = |e: std::io::Error| format!("cannot read its footer: {e}");
    if length < 12 {
        return Err(format!("{length} bytes is too short for a Parquet file"));
    }
    let mut tail = [0u8; 8];
    file.seek(SeekFrom::Start(length - 8)).map_err(io)?;
    file.read_exact(&mut tail).map_err(io)?;
    if &tail[4..] != b"PAR1" {
        return Err("it does not end with the Parquet magic 'PAR1'".to_string());
    }
    let footer_length = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
    if footer_length + 12 > length {
        return Err(format!(
            "its footer claims {footer_length} bytes of a {length}-byte file"
        ));
    }
    let mut footer = vec![0u8; footer_length as usize];
    file.seek(SeekFrom::Start(length - 8 - footer_length))
        .map_err(io)?;
    file.read_exact(&mut footer).map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    Ok(footer)
}

/// Refuses a file whose footer claims more rows than its row groups hold, or than its size
/// could hold.
pub(crate) fn check_row_count(
    path: &Path,
    metadata: &FileMetadata,
    length: u64,
) -> Result<(), DataError> {
    // polars takes the file's row count from the footer's own field, not from its row groups
    // (a file whose field promised rows its groups lacked loaded as an empty series).
    let in_groups = metadata
        .row_groups
        .iter()
        .map(|g| g.num_rows() as u64)
        .fold(0, u64::saturating_add);
    let claimed = metadata.num_rows as u64;
    if claimed != in_groups {
        return Err(damaged(
            path,
            format!("its footer claims {claimed} rows where its row groups hold {in_groups}"),
        ));
    }
    if claimed > length.saturating_mul(ROWS_PER_BYTE) {
        return Err(damaged(
            path,
            format!(
                "its footer claims {claimed} rows in {length} bytes, more than {ROWS_PER_BYTE} rows a byte"
            ),
        ));
    }
    Ok(())
}

/// Reads the header of every page of column `root` (in every row group) and checks it; call
/// it inside [`crate::decoder::contain`] (the thrift decoder may panic on a damaged header).
pub(crate) fn check_column(
    path: &Path,
    metadata: &FileMetadata,
    root: &str,
) -> Result<(), DataError> {
    let file = File::open(path).map_err(|source| DataError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut reader = Counted {
        inner: BufReader::new(file),
        read: 0,
    };
    for (g, group) in metadata.row_groups.iter().enumerate() {
        let rows = group.num_rows() as u64;
        let Some(chunks) = group.columns_under_root_iter(root) else {
            continue;
        };
        for chunk in chunks {
            let name = chunk.descriptor().path_in_schema.join(".");
            let at =
                |what: String| damaged(path, format!("row group {g}, column '{name}': {what}"));
            if chunk.descriptor().descriptor.max_rep_level > 0 {
                return Err(at(
                    "holds lists (repeated values), where a bar file holds one value a row"
                        .to_string(),
                ));
            }
            let values = chunk.num_values();
            if values < 0 || values as u64 != rows {
                return Err(at(format!(
                    "holds {values} values where its row group has {rows} rows"
                )));
            }
            let range = chunk.byte_range();
            let chunk_pages = ChunkPages {
                physical: chunk.physical_type(),
                rows,
                end: range.end,
            };
            chunk_pages.check(&mut reader, range.start).map_err(at)?;
        }
    }
    Ok(())
}

/// What one column chunk's pages are held to.
struct ChunkPages {
    physical: PhysicalType,
    rows: u64,
    /// The byte just past the chunk (already checked to lie inside the file).
    end: u64,
}

impl ChunkPages {
    /// Walks the chunk's pages from `start`; the problem, if any, in words.
    fn check(&self, reader: &mut Counted, start: u64) -> Result<(), String> {
        let mut at = start;
        let mut seen = 0u64;
        let mut first = true;
        while seen < self.rows {
            if at >= self.end {
                return Err(format!(
                    "its pages hold {seen} values where the chunk promises {}",
                    self.rows
                ));
            }
            reader
                .inner
                .seek(SeekFrom::Start(at))
                .map_err(|e| format!("cannot seek to byte {at}: {e}"))?;
            reader.read = 0;
            let header = {
                let limit = MAX_HEADER_BYTES.min((self.end - at) as usize);
                let mut protocol = TCompactInputProtocol::new(&mut *reader, limit);
                PageHeader::read_from_in_protocol(&mut protocol).map_err(|e| {
                    format!(
                        "unreadable page header at byte {at} ({})",
                        thrift_message(e)
                    )
                })?
            };
            let body = u64::try_from(header.compressed_page_size)
                .map_err(|_| format!("page at byte {at} has a negative size"))?;
            let next = at + reader.read + body;
            if next > self.end {
                return Err(format!(
                    "page at byte {at} runs to byte {next}, past the chunk's end at {}",
                    self.end
                ));
            }
            let left = self.rows - seen;
            let values = self.page_values(&header, left, first, body)?;
            let uncompressed = u64::try_from(header.uncompressed_page_size)
                .map_err(|_| format!("page at byte {at} has a negative uncompressed size"))?;
            let limit = uncompressed_limit(self.physical, values.max(1));
            if uncompressed > limit {
                return Err(format!(
                    "page at byte {at} claims {uncompressed} bytes uncompressed, more than its {values} values can fill ({limit})"
                ));
            }
            if header.type_ != PageType::DICTIONARY_PAGE && header.type_ != PageType::INDEX_PAGE {
                seen += values;
            }
            first = false;
            at = next;
        }
        Ok(())
    }

    /// The number of values the page holds, checked against what the chunk has `left`.
    fn page_values(
        &self,
        header: &PageHeader,
        left: u64,
        first: bool,
        body: u64,
    ) -> Result<u64, String> {
        let count = |n: i32, what: &str, most: u64| {
            u64::try_from(n)
                .ok()
                .filter(|&n| n <= most)
                .ok_or_else(|| format!("a page claims {n} {what}, where at most {most} remain"))
        };
        match header.type_ {
            PageType::DATA_PAGE => {
                let data = header
                    .data_page_header
                    .as_ref()
                    .ok_or("a data page without its data page header")?;
                count(data.num_values, "values", left)
            }
            PageType::DATA_PAGE_V2 => {
                let data = header
                    .data_page_header_v2
                    .as_ref()
                    .ok_or("a v2 data page without its v2 header")?;
                let values = count(data.num_values, "values", left)?;
                count(data.num_rows, "rows", left)?;
                count(data.num_nulls, "nulls", values)?;
                let levels = i64::from(data.definition_levels_byte_length)
                    + i64::from(data.repetition_levels_byte_length);
                if data.definition_levels_byte_length < 0
                    || data.repetition_levels_byte_length < 0
                    || levels as u64 > body
                {
                    return Err(format!(
                        "a v2 page claims {levels} bytes of levels in a {body}-byte page"
                    ));
                }
                Ok(values)
            }
            PageType::DICTIONARY_PAGE => {
                if !first {
                    return Err("a dictionary page after the chunk's first page".to_string());
                }
                let dictionary = header
                    .dictionary_page_header
                    .as_ref()
                    .ok_or("a dictionary page without its dictionary header")?;
                count(dictionary.num_values, "dictionary entries", self.rows)
            }
            PageType::INDEX_PAGE => Ok(0),
            other => Err(format!("a page of unknown type {}", other.0)),
        }
    }
}

/// The largest uncompressed size `values` values of `physical` type can honestly take: their
/// plain encoding (a dictionary index takes at most four bytes, no more than an `INT32`), plus
/// definition levels at most four bytes a value, plus slack for run headers. Strings have no
/// width; a page of them is capped at 256 MiB, four times what any writer puts in one page.
pub(crate) fn uncompressed_limit(physical: PhysicalType, values: u64) -> u64 {
    let width = match physical {
        PhysicalType::Boolean | PhysicalType::Int32 | PhysicalType::Float => 4,
        PhysicalType::Int64 | PhysicalType::Double => 8,
        PhysicalType::Int96 => 12,
        PhysicalType::FixedLenByteArray(width) => (width as u64).max(4),
        PhysicalType::ByteArray => return 256 << 20,
    };
    values.saturating_mul(width + 4).saturating_add(4096)
}

fn damaged(path: &Path, what: String) -> DataError {
    DataError::Unreadable {
        path: path.to_path_buf(),
        message: format!("damaged Parquet file: {what}"),
    }
}

/// A reader that counts the bytes taken from it, so that a page header's length is known.
struct Counted {
    inner: BufReader<File>,
    read: u64,
}

impl Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use polars::prelude::*;
    use polars_parquet_format::thrift::protocol::TCompactOutputProtocol;

    use super::*;
    use crate::synth::{self, SynthSpec};
    use crate::{BarSeries, LoadOptions, load_bars};

    /// Writes `series` in row groups of `rows`, in pages of about `page` bytes (polars'
    /// default, a page per column chunk here, when `None`).
    fn write(
        series: &BarSeries,
        path: &Path,
        compression: ParquetCompression,
        rows: usize,
        page: Option<usize>,
    ) {
        let mut frame = synth::to_frame(series).expect("frame");
        ParquetWriter::new(File::create(path).expect("create"))
            .with_compression(compression)
            .with_row_group_size(Some(rows))
            .with_data_page_size(page)
            .finish(&mut frame)
            .expect("write");
    }

    /// 100 daily bars written uncompressed in one row group, a page per column, in `dir`.
    fn hundred_bars(dir: &Path) -> std::path::PathBuf {
        let path = dir.join("bars.parquet");
        let series = synth::generate(&SynthSpec::daily(100, 7));
        write(&series, &path, ParquetCompression::Uncompressed, 100, None);
        path
    }

    fn refusal(path: &Path) -> String {
        load_bars(path, &LoadOptions::default())
            .expect_err("a damaged file is refused")
            .to_string()
    }

    /// Where the footer of the Parquet file `bytes` starts, and the footer decoded.
    fn footer_of(bytes: &[u8]) -> (usize, FileMetaData) {
        let n = bytes.len();
        let length: [u8; 4] = bytes[n - 8..n - 4].try_into().expect("four bytes");
        let start = n - 8 - u32::from_le_bytes(length) as usize;
        let mut protocol = TCompactInputProtocol::new(&bytes[start..n - 8], usize::MAX);
        let footer = FileMetaData::read_from_in_protocol(&mut protocol).expect("footer");
        (start, footer)
    }

    /// The file's footer decoded, changed by `change` and written back in its place.
    fn rewrite_footer(path: &Path, change: impl FnOnce(&mut FileMetaData)) {
        let bytes = std::fs::read(path).expect("read");
        let (start, mut footer) = footer_of(&bytes);
        change(&mut footer);
        let mut encoded = Vec::new();
        footer
            .write_to_out_protocol(&mut TCompactOutputProtocol::new(&mut encoded))
            .expect("encode");
        let mut out = bytes[..start].to_vec();
        out.extend_from_slice(&encoded);
        out.extend_from_slice(&(encoded.len() as u32).to_le_bytes());
        out.extend_from_slice(b"PAR1");
        std::fs::write(path, out).expect("write");
    }

    /// The header of the first data page of column `column` changed by `change`, which must
    /// keep its encoded length (the pages after it stay where the footer says they are).
    fn rewrite_page_header(path: &Path, column: usize, change: impl FnOnce(&mut PageHeader)) {
        let mut bytes = std::fs::read(path).expect("read");
        let (_, footer) = footer_of(&bytes);
        let meta = footer.row_groups[0].columns[column]
            .meta_data
            .as_ref()
            .expect("column metadata");
        let at = meta.data_page_offset as usize;
        let mut rest = &bytes[at..];
        let before = rest.len();
        let mut header = PageHeader::read_from_in_protocol(&mut TCompactInputProtocol::new(
            &mut rest,
            usize::MAX,
        ))
        .expect("page header");
        let length = before - rest.len();
        change(&mut header);
        let mut encoded = Vec::new();
        header
            .write_to_out_protocol(&mut TCompactOutputProtocol::new(&mut encoded))
            .expect("encode");
        assert_eq!(
            encoded.len(),
            length,
            "the change keeps the header's length"
        );
        bytes[at..at + length].copy_from_slice(&encoded);
        std::fs::write(path, bytes).expect("write");
    }

    #[test]
    fn every_compression_and_layout_polars_writes_loads_unchanged() {
        let dir = tempfile::tempdir().expect("tempdir");
        let series = synth::generate(&SynthSpec::daily(1000, 7));
        for compression in [
            ParquetCompression::Uncompressed,
            ParquetCompression::Snappy,
            ParquetCompression::Gzip(None),
            ParquetCompression::Brotli(None),
            ParquetCompression::Zstd(None),
            ParquetCompression::Lz4Raw,
        ] {
            // One row group, and row groups of 128 rows: with 512-byte pages, many pages each.
            for rows in [1000, 128] {
                let path = dir.path().join(format!("{compression:?}-{rows}.parquet"));
                write(&series, &path, compression, rows, Some(512));
                let loaded = load_bars(&path, &LoadOptions::default())
                    .unwrap_or_else(|e| panic!("{compression:?}, {rows} rows a group: {e}"));
                assert_eq!(loaded.ts(), series.ts());
                assert_eq!(loaded.close(), series.close());
                assert_eq!(loaded.volume(), series.volume());
            }
        }
    }

    #[test]
    fn files_written_by_pyarrow_load_as_the_csv_they_were_made_from() {
        // v2 data pages, dictionaries, byte-stream-split and delta encodings, several page and
        // row-group sizes: layouts polars does not write (tests/data/foreign_parquet/make.py).
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let csv = load_bars(&root.join("data/sp500_daily.csv"), &LoadOptions::default())
            .expect("shipped data")
            .head(300);
        let mut files: Vec<_> = std::fs::read_dir(root.join("tests/data/foreign_parquet"))
            .expect("fixtures")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
            .collect();
        files.sort();
        assert_eq!(files.len(), 3);
        for path in files {
            let loaded = load_bars(&path, &LoadOptions::default())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(loaded.ts(), csv.ts(), "{}", path.display());
            assert_eq!(loaded.open(), csv.open(), "{}", path.display());
            assert_eq!(loaded.high(), csv.high(), "{}", path.display());
            assert_eq!(loaded.low(), csv.low(), "{}", path.display());
            assert_eq!(loaded.close(), csv.close(), "{}", path.display());
            assert_eq!(loaded.volume(), csv.volume(), "{}", path.display());
        }
    }

    #[test]
    fn a_footer_list_longer_than_its_bytes_is_refused_before_polars_reads_it() {
        // FileMetaData in thrift's compact encoding, by hand: field 1 (version, i32) = 1, then
        // field 2 (schema, a list of structs) claiming 2^30 elements, which the 7 bytes after
        // it cannot hold. polars' decoder would reserve 2^30 schema elements and abort.
        let footer = [
            0x15, 0x02, // field 1, i32, zigzag(1)
            0x19, 0xFC, // field 2, list; long form, element type struct
            0x80, 0x80, 0x80, 0x80, 0x04, // varint 2^30
            0x00, // (the first element's stop byte)
        ];
        let mut file = b"PAR1".to_vec();
        file.extend_from_slice(&footer);
        file.extend_from_slice(&(footer.len() as u32).to_le_bytes());
        file.extend_from_slice(b"PAR1");
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("bars.parquet");
        std::fs::write(&path, file).expect("write");
        let message = refusal(&path);
        assert!(
            message.contains("damaged Parquet file: unreadable footer (The thrift file would allocate more bytes than allowed)"),
            "{message}"
        );
    }

    #[test]
    fn a_footer_that_claims_more_rows_than_bytes_can_hold_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = hundred_bars(dir.path());
        let length = std::fs::metadata(&path).expect("metadata").len();
        // The rewritten footer is about as long as the original; 10^12 rows is far past 64 a
        // byte of any small file.
        rewrite_footer(&path, |footer| {
            footer.num_rows = 1_000_000_000_000;
            footer.row_groups[0].num_rows = 1_000_000_000_000;
        });
        let message = refusal(&path);
        let length_now = std::fs::metadata(&path).expect("metadata").len();
        assert!(length_now.abs_diff(length) < 16);
        assert!(
            message.contains(&format!(
                "its footer claims 1000000000000 rows in {length_now} bytes, more than 64 rows a byte"
            )),
            "{message}"
        );
    }

    #[test]
    fn a_page_that_claims_more_values_than_its_chunk_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = hundred_bars(dir.path());
        // Column 4 is `close`. 100 and 8191 both take two bytes as zigzag varints.
        rewrite_page_header(&path, 4, |header| {
            match (
                header.data_page_header.as_mut(),
                header.data_page_header_v2.as_mut(),
            ) {
                (Some(v1), _) => v1.num_values = 8191,
                (_, Some(v2)) => v2.num_values = 8191,
                _ => panic!("not a data page"),
            }
        });
        let message = refusal(&path);
        assert!(
            message.contains(
                "row group 0, column 'close': a page claims 8191 values, where at most 100 remain"
            ),
            "{message}"
        );
    }

    #[test]
    fn a_page_that_claims_more_bytes_than_its_values_can_fill_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = hundred_bars(dir.path());
        // 100 doubles fill at most 100 * (8 + 4) + 4096 = 5296 bytes; 8000 keeps the
        // header's length (two-byte varints either way).
        rewrite_page_header(&path, 4, |header| header.uncompressed_page_size = 8000);
        let message = refusal(&path);
        assert!(
            message.contains(
                "claims 8000 bytes uncompressed, more than its 100 values can fill (5296)"
            ),
            "{message}"
        );
    }

    #[test]
    fn the_uncompressed_limit_is_each_type_s_width_plus_levels() {
        assert_eq!(uncompressed_limit(PhysicalType::Double, 100), 5296);
        assert_eq!(uncompressed_limit(PhysicalType::Int32, 10), 4176);
        assert_eq!(uncompressed_limit(PhysicalType::Boolean, 10), 4176);
        assert_eq!(uncompressed_limit(PhysicalType::Int96, 10), 4256);
        assert_eq!(
            uncompressed_limit(PhysicalType::FixedLenByteArray(16), 10),
            4296
        );
        assert_eq!(uncompressed_limit(PhysicalType::ByteArray, 1), 256 << 20);
        assert_eq!(uncompressed_limit(PhysicalType::Int64, u64::MAX), u64::MAX);
    }
}
