print("relevo")
