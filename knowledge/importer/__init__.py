"""Import procedures from the National Public Service Portal crawl into `knowledge.schemas` shapes."""

from knowledge.importer.portal_parser import RecordParseError, parse_record
from knowledge.importer.reader import SourceLine, read_portal_file

__all__ = ["RecordParseError", "SourceLine", "parse_record", "read_portal_file"]
