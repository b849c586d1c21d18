// Package dataset writes many recordings into one Hive-partitioned Apache
// Parquet dataset that distributed engines (Spark, Trino, Presto, DuckDB)
// read as one table per DAQ list:
//
//	DIR/list=<list>/ecu=<ecu id>/date=<YYYY-MM-DD>/<recording>-<n>.parquet
//	DIR/_goxcp_manifest.json
//
// Every file of a list has the same schema: recording (the source file's
// name), host_ns (host receive time, ns since the Unix epoch, UTC),
// ecu_ns (the ECU's DAQ timestamp in ns, null without timestamps), then
// one column per signal: physical values as DOUBLE, verbal conversions as
// STRING. Units are in each file's key-value metadata (goxcp.units, a JSON
// object column → unit) and in the manifest. The partition values are the
// list's name, the ECU's identification (GET_ID, see record.Slave) and the
// UTC date of each sample; <n> counts a recording's files of a list.
//
// Build converts recordings (goxcp .xlog and pyXCP .xmraw) in parallel, a
// bounded number at a time, each with a bounded number of rows in memory
// (row groups of about 1 Mi rows, at most ~64 MB of values). Adding
// recordings later appends files; a recording already in the dataset
// (same content, by SHA-256) is skipped, so converting it twice does not
// duplicate rows. Files are written under a hidden temporary name and
// renamed when complete; the manifest is replaced atomically after each
// recording. One Build at a time may write to a directory.
package dataset
