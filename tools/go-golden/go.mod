module github.com/opencdc-ts/opencdc-ts/tools/go-golden

go 1.26

require (
	github.com/conduitio/conduit-commons v0.6.0
	google.golang.org/protobuf v1.36.6
)

require github.com/goccy/go-json v0.10.5 // indirect
