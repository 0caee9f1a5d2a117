"""The rule engine: rule files under rules/ compiled into one experta KnowledgeEngine."""
