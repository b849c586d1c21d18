module goxcp

go 1.26.8
