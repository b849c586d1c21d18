package a2l

// ShowDetail is detail (what `xcp a2l show` prints) for the corpus test.
var ShowDetail = detail
