print("contacts-fcgi")
