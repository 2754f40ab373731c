"""Network statistics: the network view and a structure's position among its peers."""
