// Package slaveinfo finds out what an XCP slave supports: the CONNECT
// properties, GET_VERSION, GET_COMM_MODE_INFO, GET_STATUS with the
// protection of every resource, the GET_ID identifications, the DAQ
// processor, resolution and event channels (GET_DAQ_PROCESSOR_INFO,
// GET_DAQ_RESOLUTION_INFO, GET_DAQ_EVENT_INFO), the calibration paging
// segments and pages (PAG) and the flash sectors (PGM), following ASAM
// MCD-1 XCP V1.5. Gather collects all of it into one Report, which
// marshals to JSON with snake_case keys; optional commands the slave lacks
// are reported as not supported, never as a failure.
package slaveinfo
