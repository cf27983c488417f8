// The Kafka target, the only importer of CRdKafka; see docs/architecture.md. Real code arrives with issue 4.
import CRdKafka
