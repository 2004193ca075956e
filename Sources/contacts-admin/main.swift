print("contacts-admin")
