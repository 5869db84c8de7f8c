"""The Kazakh and Russian ALIS side: IRBIS64, RABIS / WEB-RABIS, KABIS profiles and files."""
