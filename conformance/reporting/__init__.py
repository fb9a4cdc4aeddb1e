"""Report writers, each reading the one results model: summary.json, JUnit, Allure, the matrix."""
