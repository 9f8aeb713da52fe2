Console.WriteLine("alds");
