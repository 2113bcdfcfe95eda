"""The monthly report for leaders: closing months, the PDF, its archive and its delivery."""
